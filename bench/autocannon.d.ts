// The subset of the autocannon 9 API that the benchmarks use. The package ships no type
// declarations.
declare module 'autocannon' {
  interface Options {
    url: string;
    method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
    headers?: Record<string, string>;
    body?: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
    /** Seconds before a request without a response counts as a timeout. */
    timeout?: number;
  }

  /** Totals over the whole run. The benchmarks take their figures from `response` events. */
  interface Result {
    /** Seconds from the first request to the end of the run. */
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
  }

  /** A running load test: a promise of its result that also emits one `response` per reply. */
  interface Instance extends PromiseLike<Result> {
    on(
      event: 'response',
      listener: (client: unknown, statusCode: number, bytes: number, latencyMs: number) => void,
    ): this;
  }

  function autocannon(options: Options): Instance;
  export = autocannon;
}
