import type { ApiChatMessage, ApiChatSession } from '../../../../shared/src/api/chat.js';
import type { ChatModelOption } from '../../../../shared/src/protocol/chat.js';

const TIME = '2025-01-01T12:00:00.000Z';

/** A stored chat message; an assistant answer unless `role` says otherwise. */
export function chatMessage(id: number, overrides: Partial<ApiChatMessage> = {}): ApiChatMessage {
  const role = overrides.role ?? 'assistant';
  return {
    id,
    sessionId: 1,
    role,
    content: `Message ${id}`,
    reasoning: null,
    status: 'complete',
    modelConfigId: role === 'assistant' ? 10 : null,
    modelId: role === 'assistant' ? 'gpt-4o' : null,
    streamed: role === 'assistant',
    usage:
      role === 'assistant' ? { promptTokens: 12, completionTokens: 5, reasoningTokens: 0 } : null,
    ttftMs: role === 'assistant' ? 300 : null,
    ttfaMs: role === 'assistant' ? 300 : null,
    latencyMs: role === 'assistant' ? 900 : null,
    finishReason: role === 'assistant' ? 'stop' : null,
    error: null,
    createdAt: TIME,
    ...overrides,
  };
}

export function chatSession(id: number, overrides: Partial<ApiChatSession> = {}): ApiChatSession {
  return {
    id,
    title: `Session ${id}`,
    modelConfigId: 10,
    modelConfigName: 'GPT-4o',
    systemPromptId: null,
    systemPrompt: null,
    messageCount: 0,
    lastMessageAt: TIME,
    createdAt: TIME,
    updatedAt: TIME,
    ...overrides,
  };
}

export const MODELS: ChatModelOption[] = [
  { id: 10, displayName: 'GPT-4o', providerName: 'OpenAI', modelId: 'gpt-4o', reasoning: false },
  { id: 11, displayName: 'o3-mini', providerName: 'OpenAI', modelId: 'o3-mini', reasoning: true },
];
