// Reasoning text that OpenAI-compatible servers send in their own delta fields.

/**
 * The reasoning text in one chat-completion delta. DeepSeek and vLLM send `reasoning_content`,
 * OpenRouter and Ollama's OpenAI endpoint send `reasoning`, and some servers send the same text
 * under both; it is counted once. When the two differ, both are kept, `reasoning_content` first.
 */
export function deltaReasoning(delta: {
  reasoning_content?: unknown;
  reasoning?: unknown;
}): string {
  const fromContent = typeof delta.reasoning_content === 'string' ? delta.reasoning_content : '';
  const fromReasoning = typeof delta.reasoning === 'string' ? delta.reasoning : '';
  if (fromContent === fromReasoning) {
    return fromContent;
  }
  return fromContent + fromReasoning;
}
