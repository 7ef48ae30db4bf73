/**
 * Server-sent events as the API uses them: `event: <type>` and `data: <json>` lines, a blank line
 * after each event, and `:` comment lines as keep-alives. The parser follows the WHATWG
 * event-stream rules: any of CRLF, LF or CR ends a line, a BOM at the very start is dropped, and
 * one space after the colon is removed. It accepts input cut at any byte.
 */

/** One parsed event. `event` is `message` when the stream named none. */
export interface SseEvent {
  event: string;
  data: string;
  /**
   * The last event ID the stream set with an `id` line, in this event or an earlier one. Absent
   * while that ID is empty, as it is after an `id` line with no value.
   */
  id?: string;
  /** Reconnection delay the stream last asked for, in milliseconds. */
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

/** Thrown by SseParser when one event grows past its `maxEventLength`. */
export class SseEventTooLongError extends Error {
  constructor(readonly maxEventLength: number) {
    super(`A stream event grew past ${maxEventLength} characters without ending.`);
    this.name = 'SseEventTooLongError';
  }
}

const LF = 0x0a;
const SPACE = 0x20;
const COLON = 0x3a;
const BOM = 0xfeff;

/**
 * Incremental parser for one stream: feed chunks as they arrive with `push`, then call `end`.
 * Chunks are the response's bytes (Uint8Array), decoded here as UTF-8 so a character cut across
 * chunks stays whole, or text that a streaming TextDecoder already decoded.
 *
 * Unlike a browser's EventSource, `end` dispatches a last event whose closing blank line never
 * arrived, because some providers close the connection right after their last `data:` line.
 */
export class SseParser {
  /**
   * The maximum length of one event in characters, its data and the line still arriving together,
   * or Infinity. A stream whose event grows past it throws SseEventTooLongError, so a sender that
   * never ends an event cannot fill the reader's memory.
   */
  private readonly maxEventLength: number;
  private decoder: InstanceType<typeof TextDecoder> | undefined;
  /** The start of a line whose line ending has not arrived yet. */
  private buffer = '';
  private started = false;
  /** A chunk ended with CR, so an LF at the start of the next chunk belongs to that line ending. */
  private pendingCarriageReturn = false;
  private eventType = '';
  private data: string | undefined;
  private lastEventId: string | undefined;
  private retry: number | undefined;

  constructor(options: { maxEventLength?: number } = {}) {
    this.maxEventLength = options.maxEventLength ?? Infinity;
  }

  /**
   * Parses a chunk and returns the events it completed. A string that follows bytes ending in
   * part of a UTF-8 character ends that character as U+FFFD.
   */
  push(chunk: string | Uint8Array): SseEvent[] {
    if (typeof chunk !== 'string') {
      this.decoder ??= new TextDecoder('utf-8', { ignoreBOM: true });
      return this.pushText(this.decoder.decode(chunk, { stream: true }));
    }
    if (this.decoder !== undefined) {
      return this.pushText(this.decoder.decode() + chunk);
    }
    return this.pushText(chunk);
  }

  /**
   * Ends the stream and returns the events still held: the last event when its closing blank line
   * never came. Bytes that stopped inside a UTF-8 character become U+FFFD.
   */
  end(): SseEvent[] {
    const events = this.decoder === undefined ? [] : this.pushText(this.decoder.decode());
    const rest = this.buffer;
    this.buffer = '';
    this.pendingCarriageReturn = false;
    if (rest !== '') {
      this.processLine(rest, 0, rest.length);
    }
    const last = this.dispatch();
    if (last !== undefined) {
      events.push(last);
    }
    return events;
  }

  private pushText(chunk: string): SseEvent[] {
    if (chunk === '') {
      return [];
    }
    let start = 0;
    if (!this.started) {
      this.started = true;
      if (chunk.charCodeAt(0) === BOM) {
        start = 1;
      }
    }
    if (this.pendingCarriageReturn) {
      this.pendingCarriageReturn = false;
      if (chunk.charCodeAt(start) === LF) {
        start += 1;
      }
    }

    const events: SseEvent[] = [];
    // Positions of the next LF and CR, searched again only once passed, so each chunk is scanned
    // once whatever its mix of line endings.
    let lineFeed = chunk.indexOf('\n', start);
    let carriageReturn = chunk.indexOf('\r', start);
    while (lineFeed !== -1 || carriageReturn !== -1) {
      let end: number;
      let next: number;
      if (carriageReturn === -1 || (lineFeed !== -1 && lineFeed < carriageReturn)) {
        end = lineFeed;
        next = lineFeed + 1;
      } else {
        end = carriageReturn;
        next = carriageReturn + 1;
        if (next === chunk.length) {
          this.pendingCarriageReturn = true;
        } else if (chunk.charCodeAt(next) === LF) {
          next += 1;
        }
      }

      let event: SseEvent | undefined;
      if (this.buffer === '') {
        event = this.processLine(chunk, start, end);
      } else {
        const line = this.buffer + chunk.slice(start, end);
        this.buffer = '';
        event = this.processLine(line, 0, line.length);
      }
      if (event !== undefined) {
        events.push(event);
      }

      start = next;
      if (lineFeed !== -1 && lineFeed < start) {
        lineFeed = chunk.indexOf('\n', start);
      }
      if (carriageReturn !== -1 && carriageReturn < start) {
        carriageReturn = chunk.indexOf('\r', start);
      }
    }
    if (start < chunk.length) {
      // Appending builds a rope, so a long line that arrives in many chunks is copied only once,
      // when its line ending arrives.
      this.buffer += start === 0 ? chunk : chunk.slice(start);
    }
    this.checkEventLength();
    return events;
  }

  /** Throws when the event still arriving has more than `maxEventLength` characters. */
  private checkEventLength(): void {
    if (this.buffer.length + (this.data?.length ?? 0) > this.maxEventLength) {
      throw new SseEventTooLongError(this.maxEventLength);
    }
  }

  /** Applies the line `text[start, end)` and returns the event that a blank line dispatches. */
  private processLine(text: string, start: number, end: number): SseEvent | undefined {
    if (start === end) {
      return this.dispatch();
    }
    if (text.charCodeAt(start) === COLON) {
      return undefined;
    }
    if (isField(text, start, end, 'data')) {
      const value = fieldValue(text, start + 4, end);
      this.data = this.data === undefined ? value : `${this.data}\n${value}`;
    } else if (isField(text, start, end, 'event')) {
      this.eventType = fieldValue(text, start + 5, end);
    } else if (isField(text, start, end, 'id')) {
      const value = fieldValue(text, start + 2, end);
      if (!value.includes('\0')) {
        this.lastEventId = value;
      }
    } else if (isField(text, start, end, 'retry')) {
      const value = fieldValue(text, start + 5, end);
      if (/^[0-9]+$/.test(value)) {
        this.retry = Number(value);
      }
    }
    // Any other field is ignored, as the WHATWG rules require.
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    const data = this.data;
    const eventType = this.eventType;
    this.data = undefined;
    this.eventType = '';
    if (data === undefined) {
      return undefined;
    }
    const event: SseEvent = { event: eventType === '' ? 'message' : eventType, data };
    if (this.lastEventId !== undefined && this.lastEventId !== '') {
      event.id = this.lastEventId;
    }
    if (this.retry !== undefined) {
      event.retry = this.retry;
    }
    return event;
  }
}

/** Returns whether the line `text[start, end)` is field `name`: the name, then `:` or nothing. */
function isField(text: string, start: number, end: number, name: string): boolean {
  const after = start + name.length;
  if (after > end || !text.startsWith(name, start)) {
    return false;
  }
  return after === end || text.charCodeAt(after) === COLON;
}

/** Returns the value after a field name ending at `after`, less one leading space. */
function fieldValue(text: string, after: number, end: number): string {
  if (after === end) {
    return '';
  }
  let valueStart = after + 1;
  if (valueStart < end && text.charCodeAt(valueStart) === SPACE) {
    valueStart += 1;
  }
  return text.slice(valueStart, end);
}

/** Returns whether an event is the `data: [DONE]` sentinel that OpenAI-style streams end with. */
export function isDoneSentinel(event: SseEvent): boolean {
  return event.data.trim() === '[DONE]';
}
