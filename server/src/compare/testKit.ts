// Helpers for the compare tests: a reader for streamed comparisons and checks of their events.
import assert from 'node:assert/strict';
import type {
  ApiComparison,
  CompareStreamEvent,
  CompareStreamEvents,
  CompareStreamEventType,
} from '../../../shared/src/api/compare.js';
import { postForEvents, type SseReply, type SseRequestOptions } from '../testing/sseReplies.js';
import type { TestServer } from '../testing/testServer.js';

/** A streamed comparison read to its end, or a JSON reply. */
export type CompareReply = SseReply<CompareStreamEvent>;

export type CompareOptions = SseRequestOptions<CompareStreamEvent>;

/** POSTs a comparison and reads the server-sent events until the server or `onEvent` ends. */
export function postComparison(
  server: TestServer,
  token: string,
  body: unknown,
  options: CompareOptions = {},
): Promise<CompareReply> {
  return postForEvents<CompareStreamEvent>(server, token, { path: '/api/compare', body }, options);
}

/** Returns the events of one type, with their index in the reply. */
export function eventsOf<K extends CompareStreamEventType>(
  reply: CompareReply,
  type: K,
): { index: number; data: CompareStreamEvents[K] }[] {
  return reply.events.flatMap((event, index) =>
    event.type === type ? [{ index, data: event.data as CompareStreamEvents[K] }] : [],
  );
}

/** Returns the data of a slot's only event of a type, failing when there is not exactly one. */
export function onlyForSlot<K extends 'start' | 'done' | 'error'>(
  reply: CompareReply,
  type: K,
  slot: number,
): CompareStreamEvents[K] & { index: number } {
  const matching = eventsOf(reply, type).filter((event) => event.data.slot === slot);
  assert.equal(matching.length, 1, `expected one ${type} event for slot ${slot}`);
  const [only] = matching;
  return { ...only!.data, index: only!.index };
}

/** Returns the joined text of a slot's events of one type. */
export function slotText(reply: CompareReply, type: 'reasoning' | 'content', slot: number): string {
  return eventsOf(reply, type)
    .filter((event) => event.data.slot === slot)
    .map((event) => event.data.text)
    .join('');
}

/** Returns the data of the `complete` event, which must be the last event and the only one. */
export function completion(reply: CompareReply): ApiComparison {
  const completes = eventsOf(reply, 'complete');
  assert.equal(completes.length, 1, 'expected one complete event');
  assert.equal(completes[0]!.index, reply.events.length - 1, 'complete is not the last event');
  return completes[0]!.data.comparison;
}

/** Fetches a comparison through the API. */
export async function getComparison(
  server: TestServer,
  token: string,
  id: number,
): Promise<ApiComparison> {
  const response = await server.request<{ comparison: ApiComparison }>(
    'GET',
    `/api/compare/${id}`,
    {
      token,
    },
  );
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body.comparison;
}

/**
 * Asserts that a measured duration lies in [expected − below, expected + above], with a message
 * that names the metric and the window.
 */
export function assertWithin(
  name: string,
  measured: number | null,
  expected: number,
  window: { below: number; above: number },
): void {
  assert.ok(measured !== null, `${name} was not measured`);
  const low = expected - window.below;
  const high = expected + window.above;
  assert.ok(
    measured >= low && measured <= high,
    `${name} is ${measured} ms; expected ${expected} ms, from ${low} to ${high}`,
  );
}
