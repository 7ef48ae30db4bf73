import type { ApiTrainingMetric } from '../../../../shared/src/api/training.js';
import type { MonitorConnection } from '../../../../shared/src/protocol/training.js';
import { formatValue } from '../format.js';

/** Describes the last loss, evaluation loss, learning rate and throughput in one line. */
export function describeLatest(
  last: ApiTrainingMetric | undefined,
  lastEval: ApiTrainingMetric | undefined,
): string {
  const parts = [
    `loss ${formatValue(last?.loss)}`,
    `eval loss ${formatValue(lastEval?.evalLoss)}`,
    `learning rate ${formatValue(last?.lr)}`,
  ];
  if (last !== undefined && last.throughput !== null) {
    parts.push(`${Math.round(last.throughput)} tokens/s`);
  }
  return parts.join(' · ');
}

export function describeConnection(connection: MonitorConnection): string {
  switch (connection.state) {
    case 'connecting':
      return 'connecting…';
    case 'live':
      return '● live';
    case 'reconnecting':
      return `reconnecting in ${Math.round(connection.retryInMs / 1000)} s (${connection.reason})`;
    case 'ended':
      return 'ended';
  }
}
