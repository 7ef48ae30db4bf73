/**
 * Server-sent events as the API uses them: `event: <type>` and `data: <json>` lines, a blank line
 * after each event, and `:` comment lines as keep-alives. The parser follows the WHATWG
 * event-stream rules: any of CRLF, LF or CR ends a line, a leading BOM is dropped, and one space
 * after the colon is removed. It accepts input cut at any byte.
 */

/** One parsed event. `event` is `message` when the stream named none. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
  /** Reconnection delay the server asked for, in milliseconds. */
  retry?: number;
}

/** Encodes one event; multi-line data becomes several `data:` lines. */
export function encodeSseEvent(event: string, data: unknown, id?: string): string {
  if (/[\r\n]/.test(event)) {
    throw new Error(`SSE event type ${JSON.stringify(event)} must not contain a line break`);
  }
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  const lines = [`event: ${event}`];
  if (id !== undefined) {
    lines.push(`id: ${id.replace(/[\r\n\0]/g, '')}`);
  }
  for (const line of payload.split(/\r\n|\r|\n/)) {
    lines.push(`data: ${line}`);
  }
  return `${lines.join('\n')}\n\n`;
}

/** Encodes a comment line, which clients ignore; servers send one to keep proxies open. */
export function encodeSseComment(text = ''): string {
  return `:${text.replace(/[\r\n]/g, ' ')}\n\n`;
}

/**
 * Incremental parser: feed text chunks as they arrive (already decoded; use a streaming
 * TextDecoder so multi-byte characters cut across chunks stay whole) and collect events.
 */
export class SseParser {
  private buffer = '';
  private started = false;
  private pendingCarriageReturn = false;
  private eventType = '';
  private dataLines: string[] = [];
  private lastEventId: string | undefined;
  private retry: number | undefined;

  /** Parses a chunk and returns the events it completed. */
  push(chunk: string): SseEvent[] {
    if (chunk === '') {
      return [];
    }
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) {
        text = text.slice(1);
      }
    }
    if (this.pendingCarriageReturn && text.startsWith('\n')) {
      text = text.slice(1);
    }
    this.pendingCarriageReturn = false;
    this.buffer += text;

    const events: SseEvent[] = [];
    let start = 0;
    for (let index = 0; index < this.buffer.length; index++) {
      const char = this.buffer[index];
      if (char !== '\n' && char !== '\r') {
        continue;
      }
      const line = this.buffer.slice(start, index);
      if (char === '\r') {
        if (index + 1 === this.buffer.length) {
          this.pendingCarriageReturn = true;
        } else if (this.buffer[index + 1] === '\n') {
          index++;
        }
      }
      start = index + 1;
      const event = this.processLine(line);
      if (event !== undefined) {
        events.push(event);
      }
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  /**
   * Ends the stream and returns the last event when its closing blank line never came. Browsers
   * drop such an event, but providers that close the connection right after their last `data:`
   * line would otherwise lose it.
   */
  end(): SseEvent[] {
    const rest = this.buffer;
    this.buffer = '';
    if (rest !== '' && !this.pendingCarriageReturn) {
      this.processLine(rest);
    }
    this.pendingCarriageReturn = false;
    const last = this.dispatch();
    return last === undefined ? [] : [last];
  }

  private processLine(line: string): SseEvent | undefined {
    if (line === '') {
      return this.dispatch();
    }
    if (line.startsWith(':')) {
      return undefined;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) {
      value = value.slice(1);
    }
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.dataLines.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) {
          this.lastEventId = value;
        }
        break;
      case 'retry':
        if (/^\d+$/.test(value)) {
          this.retry = Number(value);
        }
        break;
      default:
        break;
    }
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    const hasData = this.dataLines.length > 0;
    const event: SseEvent = {
      event: this.eventType === '' ? 'message' : this.eventType,
      data: this.dataLines.join('\n'),
    };
    if (this.lastEventId !== undefined) {
      event.id = this.lastEventId;
    }
    if (this.retry !== undefined) {
      event.retry = this.retry;
    }
    this.eventType = '';
    this.dataLines = [];
    return hasData ? event : undefined;
  }
}

/** Returns whether an event is the `data: [DONE]` sentinel that OpenAI-style streams end with. */
export function isDoneSentinel(event: SseEvent): boolean {
  return event.data.trim() === '[DONE]';
}
