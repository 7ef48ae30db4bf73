import type { ApiChatMessage, ApiChatSession, ChatExport } from '../../../shared/src/api/chat.js';
import type { ChatMessage, ChatSession } from '../models/index.js';

/**
 * Shapes a session for API responses. `modelConfigName` comes from the `modelConfig`
 * association when the query included it.
 */
export function presentChatSession(session: ChatSession, messageCount: number): ApiChatSession {
  return {
    id: session.id,
    title: session.title,
    modelConfigId: session.modelConfigId,
    modelConfigName: session.modelConfig?.displayName ?? null,
    systemPromptId: session.systemPromptId,
    systemPrompt: session.systemPrompt,
    messageCount,
    lastMessageAt: session.lastMessageAt.toISOString(),
    createdAt: session.createdAt.toISOString(),
    updatedAt: session.updatedAt.toISOString(),
  };
}

/** Shapes a message for API responses; usage is null until the provider reported tokens. */
export function presentChatMessage(message: ChatMessage): ApiChatMessage {
  const hasUsage = message.promptTokens !== null || message.completionTokens !== null;
  return {
    id: message.id,
    sessionId: message.sessionId,
    role: message.role,
    content: message.content,
    reasoning: message.reasoning,
    status: message.status,
    modelConfigId: message.modelConfigId,
    modelId: message.modelId,
    streamed: message.streamed,
    usage: hasUsage
      ? {
          promptTokens: message.promptTokens ?? 0,
          completionTokens: message.completionTokens ?? 0,
          reasoningTokens: message.reasoningTokens ?? 0,
        }
      : null,
    ttftMs: message.ttftMs,
    ttfaMs: message.ttfaMs,
    latencyMs: message.latencyMs,
    finishReason: message.finishReason,
    error: message.error,
    createdAt: message.createdAt.toISOString(),
  };
}

/** Builds the `format=json` export: the session and every message with its reasoning blocks. */
export function presentChatExport(
  session: ChatSession,
  messages: ChatMessage[],
  exportedAt: Date,
): ChatExport {
  return {
    exportVersion: 1,
    exportedAt: exportedAt.toISOString(),
    session: presentChatSession(session, messages.length),
    messages: messages.map((message) => ({
      ...presentChatMessage(message),
      reasoningBlocks: message.reasoningBlocks ?? [],
      providerFinishReason: message.providerFinishReason,
    })),
  };
}
