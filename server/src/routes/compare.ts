import { z } from 'zod';
import type { ComparisonExport } from '../../../shared/src/api/compare.js';
import type { AppContext } from '../context.js';
import { unauthorized } from '../errors.js';
import type { Comparison, User } from '../models/index.js';
import { runComparison } from '../compare/comparisonRun.js';
import {
  deleteComparison,
  listComparisons,
  loadOwnedComparison,
  loadResult,
  loadResults,
  pickBest,
  stopComparison,
} from '../compare/comparisons.js';
import { renderComparisonMarkdown } from '../compare/exportFormats.js';
import { stopInterruptedResults } from '../compare/interruptedResults.js';
import {
  presentComparison,
  presentComparisonResult,
  presentComparisonSummary,
} from '../compare/presenter.js';
import {
  comparisonParams,
  comparisonResponse,
  createComparisonBody,
  exportQuery,
  listComparisonsQuery,
  pickBestBody,
  rateBody,
  resultParams,
  resultSchema,
  stopBody,
  summarySchema,
} from '../compare/schemas.js';
import { defineRoute, type RouteTarget } from '../routing.js';

/** Registers `/api/compare` and the history, stop, pick, rating and export routes under it. */
export function registerCompareRoutes(target: RouteTarget): void {
  defineCreate(target);
  defineList(target);
  defineGet(target);
  defineDelete(target);
  defineStop(target);
  definePickBest(target);
  defineRate(target);
  defineExport(target);
}

function defineCreate(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'post',
      path: '/api/compare',
      summary:
        'Answer one prompt with one to three model configs in parallel. Streams server-sent ' +
        'events tagged by slot (start, reasoning, content, usage, done or error per slot, then ' +
        'complete) when `stream` is true or the Accept header names text/event-stream; ' +
        'otherwise returns one JSON body with the results in slot order.',
      tag: 'compare',
      access: 'user',
      body: createComparisonBody,
      responses: { 200: { description: 'The comparison', schema: comparisonResponse } },
    },
    async (ctx, { body }) => {
      const stream =
        body.stream ?? ctx.accepts('application/json', 'text/event-stream') === 'text/event-stream';
      await runComparison(ctx, signedIn(ctx), body, stream);
    },
  );
}

function defineList(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/compare',
      summary: 'List your comparisons, newest first, searchable by prompt',
      tag: 'compare',
      access: 'user',
      query: listComparisonsQuery,
      responses: {
        200: {
          description: 'A page of comparisons without their answers',
          schema: z.object({
            comparisons: z.array(summarySchema),
            total: z.number().int(),
            page: z.number().int(),
            pageSize: z.number().int(),
          }),
        },
      },
    },
    async (ctx, { query }) => {
      const { comparisons, results, total } = await listComparisons(signedIn(ctx), {
        ...(query.q === undefined ? {} : { search: query.q }),
        page: query.page,
        pageSize: query.pageSize,
      });
      ctx.body = {
        comparisons: comparisons.map((comparison) =>
          presentComparisonSummary(comparison, results.get(comparison.id) ?? []),
        ),
        total,
        page: query.page,
        pageSize: query.pageSize,
      };
    },
  );
}

function defineGet(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/compare/:id',
      summary: 'One of your comparisons with every result',
      tag: 'compare',
      access: 'user',
      params: comparisonParams,
      responses: { 200: { description: 'The comparison', schema: comparisonResponse } },
    },
    async (ctx, { params }) => {
      const comparison = await loadOwnedComparison(signedIn(ctx), params.id);
      await stopInterruptedResults(ctx.services, comparison.id);
      ctx.body = await comparisonBody(comparison);
    },
  );
}

function defineDelete(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'delete',
      path: '/api/compare/:id',
      summary: 'Delete a comparison with its results, stopping slots still answering',
      tag: 'compare',
      access: 'user',
      params: comparisonParams,
      responses: { 204: { description: 'Deleted' } },
    },
    async (ctx, { params }) => {
      const comparison = await loadOwnedComparison(signedIn(ctx), params.id);
      await deleteComparison(ctx.services, comparison);
      ctx.status = 204;
    },
  );
}

function defineStop(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'post',
      path: '/api/compare/:id/stop',
      summary:
        'Stop the slots still answering, or one slot; their partial answers are kept, marked stopped',
      tag: 'compare',
      access: 'user',
      params: comparisonParams,
      body: stopBody,
      responses: { 200: { description: 'The comparison as stored', schema: comparisonResponse } },
    },
    async (ctx, { params, body }) => {
      const comparison = await loadOwnedComparison(signedIn(ctx), params.id);
      await stopComparison(ctx.services, comparison, body.slot);
      ctx.body = await comparisonBody(comparison);
    },
  );
}

function definePickBest(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'put',
      path: '/api/compare/:id/best',
      summary: 'Pick the best answer of a comparison, or clear the pick with null',
      tag: 'compare',
      access: 'user',
      params: comparisonParams,
      body: pickBestBody,
      responses: { 200: { description: 'The comparison', schema: comparisonResponse } },
    },
    async (ctx, { params, body }) => {
      const comparison = await loadOwnedComparison(signedIn(ctx), params.id);
      await pickBest(comparison, body.resultId);
      ctx.body = await comparisonBody(comparison);
    },
  );
}

function defineRate(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'put',
      path: '/api/compare/:id/results/:resultId/rating',
      summary: 'Rate one answer of a comparison from 1 to 5, or clear the rating with null',
      tag: 'compare',
      access: 'user',
      params: resultParams,
      body: rateBody,
      responses: {
        200: { description: 'The result', schema: z.object({ result: resultSchema }) },
      },
    },
    async (ctx, { params, body }) => {
      const comparison = await loadOwnedComparison(signedIn(ctx), params.id);
      const result = await loadResult(comparison, params.resultId);
      await result.update({ rating: body.rating });
      ctx.body = { result: presentComparisonResult(result) };
    },
  );
}

function defineExport(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/compare/:id/export',
      summary:
        'Download a comparison as Markdown (metrics table and answers) or JSON (every field)',
      tag: 'compare',
      access: 'user',
      params: comparisonParams,
      query: exportQuery,
      responses: { 200: { description: 'The file, as an attachment' } },
    },
    async (ctx, { params, query }) => {
      const comparison = await loadOwnedComparison(signedIn(ctx), params.id);
      const data: ComparisonExport = {
        exportVersion: 1,
        exportedAt: new Date().toISOString(),
        comparison: presentComparison(comparison, await loadResults(comparison)),
      };
      ctx.attachment(`comparison-${comparison.id}.${query.format}`);
      if (query.format === 'json') {
        ctx.type = 'application/json; charset=utf-8';
        ctx.body = `${JSON.stringify(data, null, 2)}\n`;
      } else {
        ctx.type = 'text/markdown; charset=utf-8';
        ctx.body = renderComparisonMarkdown(data);
      }
    },
  );
}

async function comparisonBody(comparison: Comparison) {
  return { comparison: presentComparison(comparison, await loadResults(comparison)) };
}

function signedIn(ctx: AppContext): User {
  const user = ctx.state.currentUser;
  if (user === undefined) {
    throw unauthorized();
  }
  return user;
}
