import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';

/** Status, error code and message of the reply to a request that Node's HTTP parser rejected. */
interface ClientErrorReply {
  status: number;
  code: string;
  message: string;
}

/**
 * Replies to a request that Node's HTTP parser rejected before it reached the application, such as
 * oversized headers or a malformed request line, with the same JSON error body as every other API
 * error. Node's default reply has no body. A socket that is gone, or whose response has already
 * started, is destroyed instead.
 */
export function replyToClientError(
  error: Error & { code?: string },
  socket: Duplex,
  logger: Logger,
): void {
  const response = (socket as { _httpMessage?: http.ServerResponse })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || response?.headersSent === true) {
    socket.destroy();
    return;
  }
  const reply = describeClientError(error);
  logger.warn(
    {
      code: error.code,
      status: reply.status,
      remoteAddress: (socket as { remoteAddress?: string }).remoteAddress,
    },
    'rejected a request the HTTP parser could not read',
  );
  const body = JSON.stringify({ error: { code: reply.code, message: reply.message } });
  socket.end(
    `HTTP/1.1 ${reply.status} ${http.STATUS_CODES[reply.status]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

function describeClientError(error: Error & { code?: string }): ClientErrorReply {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        code: 'headers_too_large',
        message: `The request line and headers are larger than ${http.maxHeaderSize} bytes; shorten the URL or the headers.`,
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        code: 'request_timeout',
        message: 'The request was not received in time; send it again in one go.',
      };
    case 'HPE_INVALID_EOF_STATE':
      return {
        status: 400,
        code: 'incomplete_request',
        message: 'The connection ended before the request was complete; send the whole request.',
      };
    default:
      return {
        status: 400,
        code: 'bad_request',
        message: `The request is not valid HTTP (${error.code ?? 'unknown'}: ${error.message}); fix the client or proxy that sent it.`,
      };
  }
}
