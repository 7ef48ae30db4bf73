import { z, type ZodType } from 'zod';

/**
 * Returns the schema of a query parameter that contains a whole number in decimal digits, from
 * `min` to `max`. `Number()` alone would also accept `0x10`, `1e3`, ` 5` and an empty string.
 */
export function queryInteger(min: number, max: number) {
  return z
    .string()
    .regex(/^\d+$/, 'must be a whole number written in decimal digits')
    .transform(Number)
    .pipe(z.number().min(min).max(max));
}

/** A problem with the names in a query string, with the path of the parameter it concerns. */
export interface QueryNameProblem {
  path: string[];
  message: string;
}

/**
 * Checks the parameter names of a query string against its schema: a name the schema does not
 * list, or a name given more than once, is a problem. Koa parses `?page=1&page=2` into an array.
 * Returns undefined when the names are fine or the schema is not an object schema.
 */
export function findQueryNameProblem(
  schema: ZodType,
  query: Record<string, string | string[] | undefined>,
): QueryNameProblem | undefined {
  if (!(schema instanceof z.ZodObject)) {
    return undefined;
  }
  const accepted = Object.keys(schema.shape);
  const unknown = Object.keys(query).filter((name) => !accepted.includes(name));
  if (unknown.length > 0) {
    const names = unknown.map((name) => JSON.stringify(name)).join(', ');
    const acceptedText =
      accepted.length === 0
        ? 'this route accepts no query parameters'
        : `the accepted parameters are ${accepted.join(', ')}`;
    return {
      path: [],
      message: `unknown ${unknown.length === 1 ? 'parameter' : 'parameters'} ${names}; ${acceptedText}`,
    };
  }
  for (const [name, value] of Object.entries(query)) {
    if (Array.isArray(value)) {
      return { path: [name], message: `must be given once, not ${value.length} times` };
    }
  }
  return undefined;
}
