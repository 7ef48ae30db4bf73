// Request rules for each family of OpenAI-compatible services, and the mapping of a
// provider-neutral request onto them.
import type {
  ChatCompletionCreateParamsBase,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import type { ChatTurn, CompletionRequest, ProviderConnection } from './types.js';

/** The message field that carries earlier assistant reasoning, or `omit`. */
export type ReasoningHistory = NonNullable<ProviderConnection['reasoningHistory']>;

/**
 * The request rules of one family of services.
 *
 * | profile    | chosen for                       | history             | limit  | top_k | effort |
 * |------------|----------------------------------|---------------------|--------|-------|--------|
 * | openai     | kind `openai`, api.openai.com    | omit                | mct    | no    | effort |
 * | deepseek   | api.deepseek.com                 | omit                | mt     | no    | none   |
 * | moonshot   | api.moonshot.ai, api.moonshot.cn | `reasoning_content` | mt     | no    | none   |
 * | openrouter | openrouter.ai                    | `reasoning`         | mt     | yes   | object |
 * | dashscope  | dashscope*.aliyuncs.com          | omit                | mt     | yes   | none   |
 * | compatible | any other host (vLLM, LM Studio) | omit                | mt     | yes   | none   |
 *
 * In the table, mct is `max_completion_tokens` and mt is `max_tokens`. Effort is
 * `reasoning_effort`, and object is `reasoning: {effort}` or `reasoning: {max_tokens}`.
 *
 * Sources, as each service documents it:
 * - OpenAI rejects message fields its schema does not define and request arguments it does not
 *   know (such as `top_k`). Its reasoning models (o-series, gpt-5) take `max_completion_tokens`
 *   instead of `max_tokens`, reject a non-default `temperature` or `top_p`, and read the system
 *   prompt as a `developer` message.
 * - DeepSeek's `deepseek-reasoner` guide states that a `reasoning_content` field in input
 *   messages gets a 400. Its later thinking-mode guide ignores that field on turns without tool
 *   calls and requires it back only after tool calls. This client sends no tools, so omitting it
 *   fits both rules.
 * - Moonshot's Kimi thinking models document keeping `reasoning_content` on every earlier
 *   assistant message, and the models with preserved thinking require it.
 * - OpenRouter returns reasoning in `reasoning` and documents passing it back on earlier assistant
 *   messages. It takes `top_k` and a `reasoning: {effort | max_tokens}` object.
 * - DashScope (Qwen) and vLLM take `top_k` as an extra argument.
 */
export interface CompatibilityProfile {
  name: 'openai' | 'deepseek' | 'moonshot' | 'openrouter' | 'dashscope' | 'compatible';
  /** The field that carries earlier assistant reasoning, or `omit` to send none. */
  reasoningHistory: ReasoningHistory;
  maxTokensField: 'max_completion_tokens' | 'max_tokens';
  acceptsTopK: boolean;
  /** The reasoning control sent: OpenAI's `reasoning_effort` or OpenRouter's `reasoning` object. */
  reasoningControl: 'reasoning_effort' | 'reasoning_object' | 'none';
}

type ProfileName = CompatibilityProfile['name'];

const PROFILES: Record<ProfileName, CompatibilityProfile> = {
  openai: {
    name: 'openai',
    reasoningHistory: 'omit',
    maxTokensField: 'max_completion_tokens',
    acceptsTopK: false,
    reasoningControl: 'reasoning_effort',
  },
  deepseek: {
    name: 'deepseek',
    reasoningHistory: 'omit',
    maxTokensField: 'max_tokens',
    acceptsTopK: false,
    reasoningControl: 'none',
  },
  moonshot: {
    name: 'moonshot',
    reasoningHistory: 'reasoning_content',
    maxTokensField: 'max_tokens',
    acceptsTopK: false,
    reasoningControl: 'none',
  },
  openrouter: {
    name: 'openrouter',
    reasoningHistory: 'reasoning',
    maxTokensField: 'max_tokens',
    acceptsTopK: true,
    reasoningControl: 'reasoning_object',
  },
  dashscope: {
    name: 'dashscope',
    reasoningHistory: 'omit',
    maxTokensField: 'max_tokens',
    acceptsTopK: true,
    reasoningControl: 'none',
  },
  compatible: {
    name: 'compatible',
    reasoningHistory: 'omit',
    maxTokensField: 'max_tokens',
    acceptsTopK: true,
    reasoningControl: 'none',
  },
};

/** Picks the profile for a connection by kind, then by base URL host, and applies its override. */
export function profileFor(connection: ProviderConnection): CompatibilityProfile {
  const profile = PROFILES[profileNameFor(connection)];
  if (connection.reasoningHistory === undefined) {
    return profile;
  }
  return { ...profile, reasoningHistory: connection.reasoningHistory };
}

function profileNameFor(connection: ProviderConnection): ProfileName {
  if (connection.kind === 'openai') {
    return 'openai';
  }
  const host = new URL(connection.baseUrl).hostname.toLowerCase();
  if (host === 'api.openai.com') {
    return 'openai';
  }
  if (host === 'api.deepseek.com') {
    return 'deepseek';
  }
  if (host === 'api.moonshot.ai' || host === 'api.moonshot.cn') {
    return 'moonshot';
  }
  if (host === 'openrouter.ai') {
    return 'openrouter';
  }
  if (/^dashscope[\w-]*\.aliyuncs\.com$/.test(host)) {
    return 'dashscope';
  }
  return 'compatible';
}

/** Returns whether OpenAI's reasoning-model rules apply: o1, o3, o4-mini, gpt-5 and snapshots. */
export function isOpenAiReasoningModel(modelId: string): boolean {
  const id = modelId.toLowerCase();
  if (/^o\d+(-|$)/.test(id)) {
    return true;
  }
  // gpt-5-chat-latest is the non-reasoning model behind ChatGPT.
  return id.startsWith('gpt-5') && !id.includes('-chat');
}

/** An assistant message with the reasoning field some services take back. */
type AssistantMessage = {
  role: 'assistant';
  content: string;
  reasoning_content?: string;
  reasoning?: string;
};

/** The chat request body: the SDK's parameters plus the extra arguments some services take. */
export type ChatBody = ChatCompletionCreateParamsBase & {
  top_k?: number;
  reasoning?: { effort: string } | { max_tokens: number };
};

/** Builds the chat-completions body for a request under a profile. The caller sets `stream`. */
export function buildChatBody(profile: CompatibilityProfile, request: CompletionRequest): ChatBody {
  const openAiReasoning = profile.name === 'openai' && isOpenAiReasoningModel(request.model);
  const { params } = request;
  const body: ChatBody = {
    model: request.model,
    messages: buildMessages(request, profile.reasoningHistory, openAiReasoning),
  };

  if (!openAiReasoning) {
    body.temperature = params.temperature;
    body.top_p = params.topP;
  }
  body[profile.maxTokensField] = params.maxTokens;
  if (profile.acceptsTopK && params.topK > 0) {
    body.top_k = params.topK;
  }

  const effort = params.reasoning?.effort;
  const budget = params.reasoning?.budgetTokens;
  if (profile.reasoningControl === 'reasoning_effort' && openAiReasoning && effort !== undefined) {
    body.reasoning_effort = effort;
  }
  if (profile.reasoningControl === 'reasoning_object') {
    if (effort !== undefined) {
      body.reasoning = { effort };
    } else if (budget !== undefined) {
      body.reasoning = { max_tokens: budget };
    }
  }
  return body;
}

function buildMessages(
  request: CompletionRequest,
  history: ReasoningHistory,
  openAiReasoning: boolean,
): ChatCompletionMessageParam[] {
  const messages: ChatCompletionMessageParam[] = [];
  if (request.system !== undefined && request.system !== null && request.system !== '') {
    messages.push({ role: openAiReasoning ? 'developer' : 'system', content: request.system });
  }
  for (const turn of request.messages) {
    messages.push(
      turn.role === 'user'
        ? { role: 'user', content: turn.content }
        : assistantMessage(turn, history),
    );
  }
  return messages;
}

/**
 * Serialises an earlier assistant turn. Under a profile that keeps reasoning, every assistant
 * message gets the field, empty when the turn has none (such as a turn another model wrote),
 * because services that require it reject a message without it.
 */
function assistantMessage(turn: ChatTurn, history: ReasoningHistory): AssistantMessage {
  const message: AssistantMessage = { role: 'assistant', content: turn.content };
  if (history !== 'omit') {
    message[history] = reasoningText(turn);
  }
  return message;
}

function reasoningText(turn: ChatTurn): string {
  if (turn.reasoning !== undefined && turn.reasoning !== '') {
    return turn.reasoning;
  }
  const blocks = turn.reasoningBlocks ?? [];
  return blocks.map((block) => (block.type === 'thinking' ? block.text : '')).join('');
}
