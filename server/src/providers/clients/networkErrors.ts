// Reads the error codes Node's network layers put on failed calls, for every provider's client.
import http from 'node:http';
import { ProviderError } from './types.js';

/** Error codes of Node's TLS layer and of OpenSSL certificate checks. */
export const TLS_ERROR_CODE =
  /^(?:ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_|INVALID_CA$|EPROTO$)/;

/** Error codes of Node's HTTP parser, raised when the bytes received are not valid HTTP. */
const HTTP_PARSER_CODE = /^HPE_/;

/**
 * Collects the `code` of each error in the cause chain and in AggregateError members, outermost
 * first, so the last code of a plain chain is the innermost one.
 */
export function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  const pending: unknown[] = [error];
  const seen = new Set<unknown>();
  while (pending.length > 0) {
    const current = pending.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) {
      continue;
    }
    seen.add(current);
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string') {
      codes.push(code);
    }
    pending.push(cause);
    if (current instanceof AggregateError) {
      pending.push(...(current.errors as unknown[]));
    }
  }
  return codes;
}

/**
 * Returns the error for a server that sent something other than HTTP, such as an SSH or database
 * server on the port of the base URL, or undefined when no code in `codes` is an HTTP parser's.
 */
export function notHttpError(
  codes: string[],
  where: string,
  cause: unknown,
): ProviderError | undefined {
  const parserCode = codes.find((code) => HTTP_PARSER_CODE.test(code));
  if (parserCode === undefined) {
    return undefined;
  }
  if (parserCode === 'HPE_HEADER_OVERFLOW') {
    return new ProviderError(
      'malformed',
      `${where} sent response headers larger than the ${http.maxHeaderSize} bytes Node.js accepts (HPE_HEADER_OVERFLOW); check the server or proxy at the base URL.`,
      { cause },
    );
  }
  return new ProviderError(
    'malformed',
    `${where} sent data that is not valid HTTP (${parserCode}); check that the port in the base URL is the API's and not another service's.`,
    { cause },
  );
}
