// Follows a server-sent event stream over fetch: parses it, and when the connection drops (or
// goes silent past three missed pings) reconnects with Last-Event-ID so nothing is lost.
import { ApiError } from './client';
import { SseParser, type SseEvent } from './sseParser';

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'ended' | 'unavailable' | 'failed';

export interface StreamOptions {
  open: (lastEventId: string | null, signal: AbortSignal) => Promise<Response>;
  /** Where to resume from on the first connection (e.g. the last step already loaded). */
  lastEventId?: string | null;
  onEvent: (e: SseEvent) => void;
  onState?: (state: StreamState, detail?: string) => void;
  /** The event after which the server closes for good. */
  endEvent?: string;
  idleMs?: number;
  retryMs?: number;
  maxRetryMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Starts following; call the returned function to stop. */
export function followEventStream(opts: StreamOptions): () => void {
  const { open, onEvent, onState = () => {}, endEvent = 'end', idleMs = 45_000, retryMs = 1000, maxRetryMs = 15_000, sleep = wait } = opts;
  let lastId = opts.lastEventId ?? null;
  let closed = false;
  let current: AbortController | null = null;
  let base = retryMs;
  let delay = base;

  const connectOnce = async (): Promise<'ended' | 'dropped'> => {
    const ctl = new AbortController();
    current = ctl;
    let idle = setTimeout(() => ctl.abort(), idleMs);
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => ctl.abort(), idleMs);
    };
    let ended = false;
    try {
      const res = await open(lastId, ctl.signal);
      if (!res.body) return 'dropped';
      onState('live');
      const parser = new SseParser(
        {
          onEvent: (e) => {
            if (closed) return;
            if (e.type === endEvent) ended = true;
            onEvent(e);
          },
          onRetry: (ms) => (base = ms),
        },
        lastId ?? '',
      );
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done || closed) break;
        touch();
        parser.feed(decoder.decode(value, { stream: true }));
        if (parser.eventId !== '') lastId = parser.eventId;
        if (ended) {
          await reader.cancel().catch(() => {});
          return 'ended';
        }
      }
      return 'dropped';
    } finally {
      clearTimeout(idle);
    }
  };

  (async () => {
    onState('connecting');
    while (!closed) {
      try {
        if ((await connectOnce()) === 'ended') return onState('ended');
        delay = base;
      } catch (err) {
        if (closed) return;
        if (err instanceof ApiError && err.status < 500 && err.status !== 429) {
          return onState(err.status === 404 ? 'unavailable' : 'failed', err.message);
        }
      }
      if (closed) return;
      onState('reconnecting');
      await sleep(delay);
      delay = Math.min(maxRetryMs, delay * 2);
    }
  })();

  return () => {
    closed = true;
    current?.abort();
  };
}
