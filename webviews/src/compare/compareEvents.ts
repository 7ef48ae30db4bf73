/** The events the compare elements send up to `compare-app`, by name, with their detail. */
export interface CompareEventDetails {
  'column-model': { column: number; modelConfigId: number | null };
  'column-system-prompt': { column: number; systemPrompt: string };
  'result-best': { resultId: number | null };
  'result-rate': { resultId: number; rating: number | null };
  'copy-text': { text: string };
  'prompt-input': { prompt: string };
  'variable-input': { name: string; value: string };
  'prompt-send': Record<string, never>;
  'prompt-stop': Record<string, never>;
  'prompt-rerun': Record<string, never>;
}

export type CompareEventName = keyof CompareEventDetails;

/** Dispatches a compare event that bubbles out of shadow roots. */
export function emit<Name extends CompareEventName>(
  target: EventTarget,
  name: Name,
  detail: CompareEventDetails[Name],
): void {
  target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}

declare global {
  interface HTMLElementEventMap {
    'column-model': CustomEvent<CompareEventDetails['column-model']>;
    'column-system-prompt': CustomEvent<CompareEventDetails['column-system-prompt']>;
    'result-best': CustomEvent<CompareEventDetails['result-best']>;
    'result-rate': CustomEvent<CompareEventDetails['result-rate']>;
    'prompt-input': CustomEvent<CompareEventDetails['prompt-input']>;
    'variable-input': CustomEvent<CompareEventDetails['variable-input']>;
    'prompt-send': CustomEvent<CompareEventDetails['prompt-send']>;
    'prompt-stop': CustomEvent<CompareEventDetails['prompt-stop']>;
    'prompt-rerun': CustomEvent<CompareEventDetails['prompt-rerun']>;
  }
}
