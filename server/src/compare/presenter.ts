import type {
  ApiComparison,
  ApiComparisonResult,
  ComparisonSummary,
} from '../../../shared/src/api/compare.js';
import type { Comparison, ComparisonResult } from '../models/index.js';
import { answerTokensOf } from './metrics.js';

/** Characters of the prompt that the history list shows. */
export const SUMMARY_PROMPT_LENGTH = 200;

/** Shapes a result for API responses; usage is null until the provider reported tokens. */
export function presentComparisonResult(result: ComparisonResult): ApiComparisonResult {
  const hasUsage = result.promptTokens !== null || result.completionTokens !== null;
  const usage = hasUsage
    ? {
        promptTokens: result.promptTokens ?? 0,
        completionTokens: result.completionTokens ?? 0,
        reasoningTokens: result.reasoningTokens ?? 0,
      }
    : null;
  return {
    id: result.id,
    comparisonId: result.comparisonId,
    slot: result.slot,
    modelConfigId: result.modelConfigId,
    modelConfigName: result.modelConfigName,
    modelId: result.modelId,
    providerName: result.providerName,
    systemPrompt: result.systemPrompt,
    content: result.content,
    reasoning: result.reasoning,
    status: result.status,
    usage,
    answerTokens: answerTokensOf(usage),
    ttftMs: result.ttftMs,
    ttfaMs: result.ttfaMs,
    answerMs: result.answerMs,
    latencyMs: result.latencyMs,
    tokensPerSecond: result.tokensPerSecond,
    cost: result.cost,
    finishReason: result.finishReason,
    providerFinishReason: result.providerFinishReason,
    error: result.error,
    rating: result.rating,
    createdAt: result.createdAt.toISOString(),
    updatedAt: result.updatedAt.toISOString(),
  };
}

/** Shapes a comparison with its results in slot order. */
export function presentComparison(
  comparison: Comparison,
  results: readonly ComparisonResult[],
): ApiComparison {
  return {
    id: comparison.id,
    prompt: comparison.prompt,
    promptTemplate: comparison.promptTemplate,
    variables: comparison.variables,
    bestResultId: comparison.bestResultId,
    results: [...results].sort((a, b) => a.slot - b.slot).map(presentComparisonResult),
    createdAt: comparison.createdAt.toISOString(),
    updatedAt: comparison.updatedAt.toISOString(),
  };
}

/** Shapes a comparison for the history list, with its prompt cut short and no answers. */
export function presentComparisonSummary(
  comparison: Comparison,
  results: readonly ComparisonResult[],
): ComparisonSummary {
  return {
    id: comparison.id,
    prompt: Array.from(comparison.prompt).slice(0, SUMMARY_PROMPT_LENGTH).join(''),
    bestResultId: comparison.bestResultId,
    slots: [...results]
      .sort((a, b) => a.slot - b.slot)
      .map((result) => ({
        slot: result.slot,
        resultId: result.id,
        modelConfigName: result.modelConfigName,
        status: result.status,
        rating: result.rating,
      })),
    createdAt: comparison.createdAt.toISOString(),
  };
}
