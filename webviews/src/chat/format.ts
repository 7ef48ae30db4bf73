import type { ApiChatMessage, ChatUsage } from '../../../shared/src/api/chat.js';

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

/** Formats milliseconds as seconds with one decimal, such as `3.2 s`. */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Formats a token count, such as `1,234 tokens`; `estimated` prefixes it with ≈. */
export function formatTokens(count: number, estimated = false): string {
  return `${estimated ? '≈ ' : ''}${integer.format(count)} ${count === 1 ? 'token' : 'tokens'}`;
}

/**
 * Reasoning tokens as the provider reported them, or an estimate of characters / 4 while no count
 * has arrived (some providers never report one).
 */
export function reasoningTokens(
  reasoning: string,
  usage: ChatUsage | null,
): { count: number; estimated: boolean } {
  if (usage !== null && usage.reasoningTokens > 0) {
    return { count: usage.reasoningTokens, estimated: false };
  }
  return { count: Math.ceil(reasoning.length / 4), estimated: true };
}

/** Formats the summary line of a reasoning panel: how long the model thought, in how many tokens. */
export function describeReasoning(options: {
  thinking: boolean;
  ms: number | null;
  reasoning: string;
  usage: ChatUsage | null;
}): string {
  const tokens = reasoningTokens(options.reasoning, options.usage);
  const tokenText = formatTokens(tokens.count, tokens.estimated);
  if (options.thinking) {
    return `Thinking… ${formatSeconds(options.ms ?? 0)} · ${tokenText}`;
  }
  if (options.ms !== null) {
    return `Thought for ${formatSeconds(options.ms)} · ${tokenText}`;
  }
  return `Reasoning · ${tokenText}`;
}

/**
 * How long a finished answer reasoned: from its first token to its first answer token, or to its
 * end when no answer followed. Null when the server measured neither.
 */
export function reasoningDuration(message: ApiChatMessage): number | null {
  if (message.ttftMs === null) {
    return null;
  }
  const end = message.ttfaMs ?? message.latencyMs;
  return end === null ? null : Math.max(0, end - message.ttftMs);
}

/** The metrics line of a finished answer: tokens, time to first token and total time. */
export function describeMetrics(message: ApiChatMessage): string {
  const parts: string[] = [];
  if (message.usage !== null) {
    parts.push(formatTokens(message.usage.completionTokens));
  }
  if (message.ttftMs !== null) {
    parts.push(`first token ${formatSeconds(message.ttftMs)}`);
  }
  if (message.latencyMs !== null) {
    parts.push(formatSeconds(message.latencyMs));
  }
  return parts.join(' · ');
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600_000],
  ['month', 30 * 24 * 3600_000],
  ['day', 24 * 3600_000],
  ['hour', 3600_000],
  ['minute', 60_000],
];

/** Formats an ISO time relative to now, such as `5 minutes ago`. */
export function formatRelativeTime(iso: string, now = Date.now()): string {
  const elapsed = new Date(iso).getTime() - now;
  for (const [unit, size] of UNITS) {
    if (Math.abs(elapsed) >= size) {
      return relative.format(Math.round(elapsed / size), unit);
    }
  }
  return relative.format(0, 'minute');
}
