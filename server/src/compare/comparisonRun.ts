import type { Transaction } from 'sequelize';
import type { CompareSlotRequest } from '../../../shared/src/api/compare.js';
import { chatRuntime } from '../chat/runtime.js';
import { loadUsableConfig, type UsableConfig } from '../chat/sessions.js';
import type { AppContext } from '../context.js';
import { runTransaction } from '../db/transactions.js';
import { HttpError } from '../errors.js';
import { Comparison, ComparisonResult, type User } from '../models/index.js';
import type { CompletionRequest } from '../providers/clients/index.js';
import { CompareStream } from './compareStream.js';
import { presentComparison, presentComparisonResult } from './presenter.js';
import { assertSlotsTakeImages, fillPrompt, type FilledPrompt } from './prompt.js';
import { compareRuntime, type RunningComparison } from './runtime.js';
import { runSlot } from './slotRunner.js';

/** A comparison request as the route validated it. */
export interface CompareInput {
  prompt: string;
  images?: string[];
  variables?: Record<string, string>;
  slots: CompareSlotRequest[];
}

/** A stored comparison about to be answered, with what each slot needs. */
interface PreparedComparison {
  user: User;
  comparison: Comparison;
  results: ComparisonResult[];
  usables: UsableConfig[];
  stream: boolean;
}

/**
 * Checks a comparison request, stores the comparison with one `streaming` result per slot, then
 * answers every slot in parallel and replies: as events from the slots' `start` to `complete`,
 * or as one JSON body with the results in slot order. A client that goes away aborts every slot,
 * and the partial answers are stored as stopped.
 */
export async function runComparison(
  ctx: AppContext,
  user: User,
  input: CompareInput,
  stream: boolean,
): Promise<void> {
  const filled = fillPrompt(input.prompt, input.variables);
  const usables = await loadSlotConfigs(user, input.slots);
  assertSlotsTakeImages(input.images?.length ?? 0, usables);

  const stored = await runTransaction(ctx.services.sequelize, (transaction) =>
    storeComparison({ user, filled, slots: input.slots, usables }, transaction),
  );
  await answerComparison(ctx, { user, ...stored, usables, stream });
}

/**
 * Loads each slot's config in slot order. The first that is missing or disabled fails the request
 * with its own status and a message that names the slot.
 */
async function loadSlotConfigs(
  user: User,
  slots: readonly CompareSlotRequest[],
): Promise<UsableConfig[]> {
  const usables: UsableConfig[] = [];
  for (const [index, slot] of slots.entries()) {
    try {
      usables.push(await loadUsableConfig(user, slot.modelConfigId));
    } catch (error) {
      if (error instanceof HttpError) {
        throw new HttpError(error.status, error.code, `slots[${index}]: ${error.message}`, {
          details: { field: `slots.${index}.modelConfigId`, slot: index },
          headers: error.headers,
        });
      }
      throw error;
    }
  }
  return usables;
}

/** What a new comparison stores: its owner, prompt and slots. */
interface NewComparison {
  user: User;
  filled: FilledPrompt;
  slots: readonly CompareSlotRequest[];
  usables: readonly UsableConfig[];
}

async function storeComparison(
  { user, filled, slots, usables }: NewComparison,
  transaction: Transaction,
): Promise<{ comparison: Comparison; results: ComparisonResult[] }> {
  const comparison = await Comparison.create(
    {
      ownerId: user.id,
      prompt: filled.prompt,
      promptTemplate: filled.template,
      variables: filled.variables,
      bestResultId: null,
    },
    { transaction },
  );
  const results: ComparisonResult[] = [];
  for (const [slot, { config, provider }] of usables.entries()) {
    const systemPrompt = slots[slot]?.systemPrompt;
    results.push(
      await ComparisonResult.create(
        {
          comparisonId: comparison.id,
          slot,
          modelConfigId: config.id,
          modelConfigName: config.displayName,
          modelId: config.modelId,
          providerName: provider.name,
          systemPrompt:
            systemPrompt === undefined || systemPrompt.trim() === '' ? null : systemPrompt,
          ...EMPTY_ANSWER,
        },
        { transaction },
      ),
    );
  }
  return { comparison, results };
}

/** The answer fields of a result before its slot starts. */
const EMPTY_ANSWER = {
  content: '',
  reasoning: null,
  status: 'streaming',
  promptTokens: null,
  completionTokens: null,
  reasoningTokens: null,
  ttftMs: null,
  ttfaMs: null,
  answerMs: null,
  latencyMs: null,
  tokensPerSecond: null,
  cost: null,
  finishReason: null,
  providerFinishReason: null,
  error: null,
  rating: null,
} as const;

async function answerComparison(ctx: AppContext, prepared: PreparedComparison): Promise<void> {
  const { comparison, results } = prepared;
  const running = compareRuntime(ctx.services).begin(comparison.id, results.length);
  abortOnDisconnect(ctx, running);
  const logger = ctx.state.log.child({ comparisonId: comparison.id });

  let stream: CompareStream | undefined;
  try {
    if (prepared.stream) {
      stream = new CompareStream(ctx, chatRuntime(ctx.services).keepAliveMs);
      for (const result of results) {
        stream.send('start', {
          comparisonId: comparison.id,
          slot: result.slot,
          result: presentComparisonResult(result),
        });
      }
    }
    await Promise.all(
      results.map(async (result, slot) => {
        await runSlot({
          services: ctx.services,
          logger,
          userId: prepared.user.id,
          slot,
          usable: prepared.usables[slot]!,
          request: completionRequest(prepared.usables[slot]!, result, comparison.prompt),
          result,
          running,
          ...(stream === undefined ? {} : { stream }),
        });
        running.slotFinished(slot);
      }),
    );
    const body = presentComparison(comparison, results);
    if (stream === undefined) {
      ctx.body = { comparison: body };
    } else if (stream.open) {
      stream.send('complete', { comparisonId: comparison.id, comparison: body });
    }
  } finally {
    stream?.end();
    running.release();
  }
}

/** Builds one slot's provider request: the prompt as the only turn, under the slot's system prompt. */
function completionRequest(
  { config }: UsableConfig,
  result: ComparisonResult,
  prompt: string,
): Omit<CompletionRequest, 'signal'> {
  return {
    model: config.modelId,
    system: result.systemPrompt,
    messages: [{ role: 'user', content: prompt }],
    params: {
      temperature: config.temperature,
      maxTokens: config.maxTokens,
      topP: config.topP,
      topK: config.topK,
      reasoning: config.reasoning,
    },
  };
}

/** Aborts every slot when the client closes the connection before the reply has ended. */
function abortOnDisconnect(ctx: AppContext, running: RunningComparison): void {
  const response = ctx.res;
  response.once('close', () => {
    if (!response.writableFinished) {
      running.abort('disconnected');
    }
  });
  // A client that left while the comparison was stored has already closed the response.
  if (response.destroyed) {
    running.abort('disconnected');
  }
}
