/** A request that the server rejected with an error body: its status, code and message. */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: {
      details?: unknown;
      /** The server's X-Request-Id for the request, to find it in the server log. */
      requestId?: string;
    } = {},
  ) {
    super(message);
  }

  get details(): unknown {
    return this.extra.details;
  }

  get requestId(): string | undefined {
    return this.extra.requestId;
  }
}
