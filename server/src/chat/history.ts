import type {
  ChatHistoryInfo,
  ChatMessageStatus,
  ChatReasoningBlock,
  ChatRole,
} from '../../../shared/src/api/chat.js';
import type { ChatTurn } from '../providers/clients/types.js';

/** The fields of a stored message that the history is built from. */
export interface HistoryMessage {
  role: ChatRole;
  content: string;
  reasoning: string | null;
  reasoningBlocks: ChatReasoningBlock[] | null;
  status: ChatMessageStatus;
}

export interface HistoryOptions {
  systemPrompt: string | null;
  /** Tokens the system prompt and messages may take, or null to send everything. */
  budgetTokens: number | null;
}

export interface BuiltHistory {
  turns: ChatTurn[];
  info: ChatHistoryInfo;
}

/** Tokens added per message for its role and separators; part of the estimate. */
const MESSAGE_OVERHEAD_TOKENS = 4;

/**
 * Estimates the tokens of a text as characters / 4. It is an estimate: tokenizers differ by
 * model and language, and code or non-Latin scripts take more tokens per character.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * Returns the token budget of a prompt: the model's context length minus the tokens reserved for
 * the answer, or null when the context length is unknown.
 */
export function promptBudget(contextLength: number | null, maxTokens: number): number | null {
  if (contextLength === null) {
    return null;
  }
  return Math.max(0, contextLength - maxTokens);
}

/**
 * Builds the turns to send for answering the last user message of `messages`, which are a
 * session's messages oldest first. The rules, in order:
 * - Messages form turns: a user message and the answers after it. Answers before the first user
 *   message are dropped, because providers expect the conversation to open with the user.
 * - An answer is sent when it ended (`complete` or `stopped`) with text. Failed, still streaming
 *   and empty answers are left out, because providers reject an empty assistant turn.
 * - An earlier turn left without an answer to send is skipped whole, its user message included,
 *   so two user messages never go out in a row and a question is never merged into the next.
 * - The last turn, the user message being answered, is always sent.
 * - When the estimate exceeds the budget, the oldest turns are dropped first. The newest user
 *   message is sent even when it alone exceeds the budget, so that the provider reports the limit.
 * NOTE: reasoning sent back with earlier answers is not counted in the estimate.
 */
export function buildHistory(messages: HistoryMessage[], options: HistoryOptions): BuiltHistory {
  const allGroups = groupTurns(messages).map(([question, ...answers]) => [
    question as HistoryMessage,
    ...answers.filter(isSendableAnswer),
  ]);
  const groups = allGroups.filter(
    (group, index) => index === allGroups.length - 1 || group.length > 1,
  );
  const skippedTurns = allGroups.length - groups.length;
  const systemTokens = options.systemPrompt === null ? 0 : estimateTokens(options.systemPrompt);
  const groupTokens = groups.map(estimateGroup);
  let total = systemTokens + groupTokens.reduce((sum, tokens) => sum + tokens, 0);

  let trimmedTurns = 0;
  if (options.budgetTokens !== null) {
    while (total > options.budgetTokens && trimmedTurns < groups.length - 1) {
      total -= groupTokens[trimmedTurns] ?? 0;
      trimmedTurns += 1;
    }
  }

  const turns = joinSameRole(groups.slice(trimmedTurns).flat());
  return {
    turns,
    info: {
      sentMessages: turns.length,
      trimmedTurns,
      skippedTurns,
      estimatedTokens: total,
      budgetTokens: options.budgetTokens,
    },
  };
}

function isSendableAnswer(message: HistoryMessage): boolean {
  const ended = message.status === 'complete' || message.status === 'stopped';
  return ended && message.content.trim() !== '';
}

/**
 * Splits messages into turns, each a user message followed by its answers. Answers before the
 * first user message are dropped, because providers expect the conversation to open with the
 * user.
 */
function groupTurns(messages: HistoryMessage[]): HistoryMessage[][] {
  const groups: HistoryMessage[][] = [];
  for (const message of messages) {
    if (message.role === 'user') {
      groups.push([message]);
    } else {
      groups.at(-1)?.push(message);
    }
  }
  return groups;
}

function estimateGroup(group: HistoryMessage[]): number {
  return group.reduce(
    (sum, message) => sum + estimateTokens(message.content) + MESSAGE_OVERHEAD_TOKENS,
    0,
  );
}

/**
 * Converts messages to turns, joining neighbouring answers to one question with a blank line.
 * Two user messages are never neighbours here, because turns without an answer are skipped.
 */
function joinSameRole(messages: HistoryMessage[]): ChatTurn[] {
  const turns: ChatTurn[] = [];
  for (const message of messages) {
    const previous = turns.at(-1);
    if (previous !== undefined && previous.role === message.role) {
      previous.content = `${previous.content}\n\n${message.content}`;
      appendReasoning(previous, message);
      continue;
    }
    const turn: ChatTurn = { role: message.role, content: message.content };
    appendReasoning(turn, message);
    turns.push(turn);
  }
  return turns;
}

function appendReasoning(turn: ChatTurn, message: HistoryMessage): void {
  if (message.role !== 'assistant') {
    return;
  }
  if (message.reasoning !== null && message.reasoning !== '') {
    turn.reasoning =
      turn.reasoning === undefined
        ? message.reasoning
        : `${turn.reasoning}\n\n${message.reasoning}`;
  }
  if (message.reasoningBlocks !== null && message.reasoningBlocks.length > 0) {
    turn.reasoningBlocks = [...(turn.reasoningBlocks ?? []), ...message.reasoningBlocks];
  }
}
