import { z } from 'zod';
import { badRequest } from '../errors.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Periods of reports span at most this many days, so a daily series has at most that many rows. */
export const MAX_PERIOD_DAYS = 731;

/** Reports cover the last 30 days, today included, when the request names no period. */
export const DEFAULT_PERIOD_DAYS = 30;

/** A query parameter that contains a calendar date such as 2025-03-31. */
export const queryDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written as YYYY-MM-DD')
  .refine(isCalendarDate, 'must be a real calendar date, such as 2025-03-31');

/** The `from` and `to` query parameters of a report, both optional. */
export const periodQueryFields = {
  from: queryDate.optional(),
  to: queryDate.optional(),
};

/**
 * A report period of whole UTC days: `from` and `to` are the first and last day, both included,
 * and `start` and `end` are the instants that bound it, `end` excluded.
 */
export interface Period {
  from: string;
  to: string;
  start: Date;
  end: Date;
  days: number;
}

/**
 * Resolves the requested days into a period. A missing `to` is today (UTC), and a missing
 * `from` is the day that makes the period DEFAULT_PERIOD_DAYS long. Throws a 400
 * `invalid_period` when the period ends before it starts or spans more than MAX_PERIOD_DAYS.
 */
export function resolvePeriod(query: { from?: string; to?: string }, now = new Date()): Period {
  const to = query.to ?? dayOf(now);
  const from = query.from ?? dayOf(new Date(Date.parse(to) - (DEFAULT_PERIOD_DAYS - 1) * DAY_MS));
  const start = new Date(`${from}T00:00:00.000Z`);
  const end = new Date(Date.parse(`${to}T00:00:00.000Z`) + DAY_MS);
  const days = Math.round((end.getTime() - start.getTime()) / DAY_MS);
  if (days < 1) {
    throw badRequest(
      'invalid_period',
      `The period from ${from} to ${to} ends before it starts; set from to a day on or before to.`,
    );
  }
  if (days > MAX_PERIOD_DAYS) {
    throw badRequest(
      'invalid_period',
      `The period from ${from} to ${to} spans ${days} days; choose at most ${MAX_PERIOD_DAYS}.`,
    );
  }
  return { from, to, start, end, days };
}

/** Lists every day of the period in order, as YYYY-MM-DD. */
export function daysOf(period: Period): string[] {
  const days: string[] = [];
  for (let time = period.start.getTime(); time < period.end.getTime(); time += DAY_MS) {
    days.push(dayOf(new Date(time)));
  }
  return days;
}

/** Returns the UTC calendar day of an instant as YYYY-MM-DD. */
export function dayOf(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

function isCalendarDate(text: string): boolean {
  const time = Date.parse(`${text}T00:00:00.000Z`);
  // V8 parses 2025-02-30 as March 2 instead of failing, so the round trip must give the same day.
  return !Number.isNaN(time) && dayOf(new Date(time)) === text;
}
