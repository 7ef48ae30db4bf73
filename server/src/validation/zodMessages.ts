import { z } from 'zod';

type Issue = Parameters<z.core.$ZodErrorMap>[0];

/** The wording for each type that zod reports as `expected`. */
const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  record: 'an object',
  null: 'null',
  date: 'a date',
};

const FORMAT_NAMES: Record<string, string> = {
  email: 'an email address such as ada@example.com',
  url: 'a URL',
  uuid: 'a UUID',
  datetime: 'an ISO 8601 date and time such as 2024-05-01T12:00:00Z',
  date: 'an ISO 8601 date such as 2024-05-01',
};

/**
 * Returns the message for a zod issue whose schema sets none, in the style of the API's own
 * messages: "is required", "must be a string", "must be at most 254 characters". Returns
 * undefined for issue kinds not listed here, so zod's English default applies to them.
 */
export function zodIssueMessage(issue: Issue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? 'is required'
        : `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'too_small':
      return tooSmallMessage(issue.origin, Number(issue.minimum), issue.inclusive !== false);
    case 'too_big':
      return tooBigMessage(issue.origin, Number(issue.maximum), issue.inclusive !== false);
    case 'invalid_value':
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'invalid_format':
      return `must be ${FORMAT_NAMES[issue.format] ?? `in ${issue.format} format`}`;
    case 'unrecognized_keys':
      return `has unknown ${issue.keys.length === 1 ? 'field' : 'fields'} ${issue.keys.join(', ')}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    default:
      return undefined;
  }
}

function tooSmallMessage(origin: string, minimum: number, inclusive: boolean): string {
  if (origin === 'string') {
    return minimum <= 1 && inclusive
      ? 'must not be empty'
      : `must be at least ${inclusive ? minimum : minimum + 1} characters`;
  }
  if (origin === 'array' || origin === 'set') {
    return `must have at least ${inclusive ? minimum : minimum + 1} items`;
  }
  return inclusive ? `must be at least ${minimum}` : `must be greater than ${minimum}`;
}

function tooBigMessage(origin: string, maximum: number, inclusive: boolean): string {
  if (origin === 'string') {
    return `must be at most ${inclusive ? maximum : maximum - 1} characters`;
  }
  if (origin === 'array' || origin === 'set') {
    return `must have at most ${inclusive ? maximum : maximum - 1} items`;
  }
  return inclusive ? `must be at most ${maximum}` : `must be less than ${maximum}`;
}

// A message set on a schema still wins over this one; zod consults the global map last.
z.config({ customError: zodIssueMessage });
