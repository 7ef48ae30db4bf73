import { ConversationChecker } from './conversation.js';
import type { SchemaPlan } from './recordChecks.js';
import { resolveTags } from './tags.js';
import type { DatasetSchema, ShareGptTags } from './types.js';

/** Records the schema is detected from: the first this many that are JSON objects. */
export const DETECTION_SAMPLE_SIZE = 8;

/** Keys that hold conversations in LLaMA-Factory's formats, tried before any other list. */
const MESSAGE_KEYS = ['conversations', 'messages'];

interface Candidate {
  schema: DatasetSchema;
  preferenceFormat?: 'alpaca' | 'sharegpt';
  messagesKey?: string;
  style?: 'sharegpt' | 'openai';
}

/**
 * Picks the schema most of the sample records fit (the first one's on a tie), and builds the plan
 * that every record is then checked against. With `tags` given, conversations are ShareGPT with
 * those tags, as in LLaMA-Factory.
 */
export function planSchema(sample: Record<string, unknown>[], tags?: ShareGptTags): SchemaPlan {
  const votes = new Map<string, { candidate: Candidate; count: number }>();
  for (const record of sample) {
    const candidate = classifyRecord(record, tags);
    const key = JSON.stringify(candidate);
    const vote = votes.get(key);
    if (vote === undefined) {
      votes.set(key, { candidate, count: 1 });
    } else {
      vote.count += 1;
    }
  }
  let best: { candidate: Candidate; count: number } | undefined;
  for (const vote of votes.values()) {
    if (best === undefined || vote.count > best.count) {
      best = vote;
    }
  }
  const candidate = best?.candidate ?? { schema: 'unknown' };
  const plan: SchemaPlan = { ...candidate };
  if (candidate.style !== undefined) {
    const style = tags === undefined ? candidate.style : 'sharegpt';
    const resolved = resolveTags(style, tags);
    plan.conversations = new ConversationChecker(resolved, resolved.content_tag === 'content');
  }
  return plan;
}

/** Returns the schema one record fits, judged by its keys. */
export function classifyRecord(record: Record<string, unknown>, tags?: ShareGptTags): Candidate {
  const messagesKey = findMessagesKey(record, tags);
  const style = messagesKey === undefined ? undefined : messageStyle(record[messagesKey], tags);
  if ('chosen' in record && 'rejected' in record) {
    return messagesKey === undefined
      ? { schema: 'preference', preferenceFormat: 'alpaca' }
      : { schema: 'preference', preferenceFormat: 'sharegpt', messagesKey, style };
  }
  if (messagesKey !== undefined && style !== undefined) {
    return { schema: style, messagesKey, style };
  }
  if ('instruction' in record || 'output' in record) {
    return { schema: 'alpaca' };
  }
  if (typeof record.text === 'string') {
    return { schema: 'pretraining' };
  }
  return { schema: 'unknown' };
}

/**
 * Returns the key that contains the conversation: "conversations" or "messages" when either is a
 * list, else the first key whose value is a list of objects with a role key.
 */
function findMessagesKey(record: Record<string, unknown>, tags?: ShareGptTags): string | undefined {
  const named = MESSAGE_KEYS.find((key) => Array.isArray(record[key]));
  if (named !== undefined) {
    return named;
  }
  const roleKeys = ['from', 'role', tags?.role_tag];
  return Object.keys(record).find((key) => {
    const first: unknown = (record[key] as unknown[] | undefined)?.[0];
    return (
      Array.isArray(record[key]) &&
      first !== null &&
      typeof first === 'object' &&
      roleKeys.some((roleKey) => roleKey !== undefined && roleKey in first)
    );
  });
}

/** OpenAI style when messages use `role` (or `content` without `from`), else ShareGPT. */
function messageStyle(messages: unknown, tags?: ShareGptTags): 'sharegpt' | 'openai' {
  if (tags !== undefined || !Array.isArray(messages)) {
    return 'sharegpt';
  }
  const first: unknown = messages.find((item) => item !== null && typeof item === 'object');
  if (first === undefined) {
    return 'sharegpt';
  }
  const keys = first as Record<string, unknown>;
  return 'role' in keys || ('content' in keys && !('from' in keys)) ? 'openai' : 'sharegpt';
}
