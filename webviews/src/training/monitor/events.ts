import type { MonitorLogLevel } from '../../../../shared/src/protocol/training.js';

/** The events the monitor's elements send up to `training-monitor-app`, with their detail. */
export interface MonitorEventDetails {
  'log-follow': { follow: boolean };
  'log-levels': { levels: MonitorLogLevel[] };
  'log-export': { lines: string[] };
}

export type MonitorEventName = keyof MonitorEventDetails;

/** Dispatches a monitor event that bubbles out of shadow roots. */
export function emit<Name extends MonitorEventName>(
  target: EventTarget,
  name: Name,
  detail: MonitorEventDetails[Name],
): void {
  target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}

declare global {
  interface HTMLElementEventMap {
    'log-follow': CustomEvent<MonitorEventDetails['log-follow']>;
    'log-levels': CustomEvent<MonitorEventDetails['log-levels']>;
    'log-export': CustomEvent<MonitorEventDetails['log-export']>;
  }
}
