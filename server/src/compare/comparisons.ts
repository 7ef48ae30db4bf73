import { Op, Sequelize, type WhereOptions } from 'sequelize';
import type { AppServices } from '../context.js';
import { runTransaction } from '../db/transactions.js';
import { badRequest, HttpError, notFound } from '../errors.js';
import { Comparison, ComparisonResult, type User } from '../models/index.js';
import { compareRuntime } from './runtime.js';

export interface ComparisonQuery {
  search?: string;
  page: number;
  pageSize: number;
}

/**
 * Loads a comparison of the user. Another user's comparison is a 404 like a missing one, for
 * admins too, because comparisons are private like chats.
 */
export async function loadOwnedComparison(user: User, id: number): Promise<Comparison> {
  const comparison = await Comparison.findOne({ where: { id, ownerId: user.id } });
  if (comparison === null) {
    throw notFound('Comparison', id);
  }
  return comparison;
}

/** Returns a comparison's results in slot order. */
export function loadResults(comparison: Comparison): Promise<ComparisonResult[]> {
  return ComparisonResult.findAll({
    where: { comparisonId: comparison.id },
    order: [['slot', 'ASC']],
  });
}

/** Loads one result of the comparison; throws 404 when the comparison has no such result. */
export async function loadResult(
  comparison: Comparison,
  resultId: number,
): Promise<ComparisonResult> {
  const result = await ComparisonResult.findOne({
    where: { id: resultId, comparisonId: comparison.id },
  });
  if (result === null) {
    throw new HttpError(
      404,
      'not_found',
      `Result ${resultId} was not found in comparison ${comparison.id}.`,
    );
  }
  return result;
}

/**
 * Lists the user's comparisons, newest first, each with its results. The search matches part of
 * the prompt, ignoring case.
 * NOTE: on SQLite, LOWER changes only ASCII letters, so other letters match in their own case.
 */
export async function listComparisons(
  user: User,
  query: ComparisonQuery,
): Promise<{ comparisons: Comparison[]; results: Map<number, ComparisonResult[]>; total: number }> {
  const where: WhereOptions[] = [{ ownerId: user.id }];
  if (query.search !== undefined && query.search !== '') {
    // INSTR is a plain substring test in both SQLite and MySQL, so % and _ need no escaping.
    where.push(
      Sequelize.where(
        Sequelize.fn(
          'instr',
          Sequelize.fn('lower', Sequelize.col('prompt')),
          query.search.toLowerCase(),
        ),
        { [Op.gt]: 0 },
      ),
    );
  }
  const { rows, count } = await Comparison.findAndCountAll({
    where: { [Op.and]: where },
    order: [
      ['createdAt', 'DESC'],
      ['id', 'DESC'],
    ],
    limit: query.pageSize,
    offset: (query.page - 1) * query.pageSize,
  });
  const results = new Map<number, ComparisonResult[]>(rows.map((row) => [row.id, []]));
  if (rows.length > 0) {
    const found = await ComparisonResult.findAll({
      where: { comparisonId: rows.map((row) => row.id) },
      attributes: ['id', 'comparisonId', 'slot', 'modelConfigName', 'status', 'rating'],
      order: [['slot', 'ASC']],
    });
    for (const result of found) {
      results.get(result.comparisonId)?.push(result);
    }
  }
  return { comparisons: rows, results, total: count };
}

/**
 * Stops the slots still answering, or only `slot`, and waits until their partial answers are
 * stored. Results left `streaming` with no request running, as after a server restart, are
 * marked stopped.
 */
export async function stopComparison(
  services: AppServices,
  comparison: Comparison,
  slot: number | undefined,
): Promise<void> {
  const results = await loadResults(comparison);
  if (slot !== undefined && slot >= results.length) {
    throw badRequest(
      'invalid_slot',
      `Comparison ${comparison.id} has ${results.length} slots, numbered from 0; slot ${slot} ` +
        `does not exist. Send a slot from 0 to ${results.length - 1}, or none to stop them all.`,
      { field: 'slot' },
    );
  }
  const running = compareRuntime(services).find(comparison.id);
  if (running !== undefined) {
    running.abort('stopped', slot);
    await (slot === undefined ? running.finished : running.slotsFinished[slot]);
    return;
  }
  const orphaned = results.filter(
    (result) => result.status === 'streaming' && (slot === undefined || result.slot === slot),
  );
  for (const result of orphaned) {
    await result.update({ status: 'stopped', finishReason: 'aborted' });
  }
}

/** Deletes a comparison with its results, stopping its slots first if they are running. */
export async function deleteComparison(
  services: AppServices,
  comparison: Comparison,
): Promise<void> {
  const running = compareRuntime(services).find(comparison.id);
  if (running !== undefined) {
    running.abort('stopped');
    await running.finished;
  }
  await runTransaction(services.sequelize, async (transaction) => {
    await ComparisonResult.destroy({ where: { comparisonId: comparison.id }, transaction });
    await comparison.destroy({ transaction });
  });
}

/**
 * Marks a result of the comparison as the best answer, or clears the pick with null. Throws 400
 * when the result belongs to another comparison.
 */
export async function pickBest(comparison: Comparison, resultId: number | null): Promise<void> {
  if (resultId !== null) {
    const results = await loadResults(comparison);
    if (!results.some((result) => result.id === resultId)) {
      const ids = results.map((result) => result.id).join(', ');
      throw badRequest(
        'invalid_result',
        `Result ${resultId} is not a result of comparison ${comparison.id}; pick one of ${ids}, ` +
          'or send null to clear the pick.',
        { field: 'resultId' },
      );
    }
  }
  await comparison.update({ bestResultId: resultId });
}
