// An incremental parser for server-sent events (the WHATWG "event stream" format). The browser's
// EventSource cannot send an Authorization header, so streams are read with fetch and parsed here.

export interface SseEvent {
  /** `message` unless the server named it with `event:`. */
  type: string;
  data: string;
  /** The stream's last event id at dispatch (ids persist until the server sets another). */
  lastEventId: string;
}

export interface SseHandlers {
  onEvent(e: SseEvent): void;
  /** A `:` comment line (servers send them as keep-alives). */
  onComment?(text: string): void;
  /** A valid `retry:` field, in milliseconds. */
  onRetry?(ms: number): void;
}

export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private type = '';
  /** Set by `id:` lines; it becomes the stream's last event id only when its event is dispatched. */
  private idBuffer: string;
  private lastEventId: string;
  private started = false;
  /** A chunk ended in CR: a LF starting the next chunk belongs to the same line break. */
  private pendingCr = false;

  constructor(
    private readonly handlers: SseHandlers,
    lastEventId = '',
  ) {
    this.lastEventId = lastEventId;
    this.idBuffer = lastEventId;
  }

  /** The id to resume from (Last-Event-ID): that of the last event completely received. */
  get eventId(): string {
    return this.lastEventId;
  }

  /** Feeds decoded text; complete lines are processed, a partial last line waits for more. */
  feed(chunk: string): void {
    if (chunk === '') return;
    if (this.pendingCr && chunk.startsWith('\n')) chunk = chunk.slice(1);
    this.pendingCr = false;
    let text = this.buffer + chunk;
    if (!this.started && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.started = true;
    }
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(text.slice(start, i));
      if (c === 13) {
        if (i + 1 === text.length) this.pendingCr = true;
        else if (text.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    this.buffer = text.slice(start);
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return this.handlers.onComment?.(line.slice(1).trimStart());
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.type = value;
    else if (field === 'id') {
      if (!value.includes('\0')) this.idBuffer = value;
    } else if (field === 'retry' && /^\d+$/.test(value)) this.handlers.onRetry?.(Number(value));
  }

  private dispatch(): void {
    this.lastEventId = this.idBuffer;
    const type = this.type || 'message';
    this.type = '';
    if (this.data.length === 0) return;
    const data = this.data.join('\n');
    this.data = [];
    this.handlers.onEvent({ type, data, lastEventId: this.lastEventId });
  }
}
