import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/ui/api/client';
import { followEventStream, type StreamState } from '../../src/ui/api/eventStream';
import { appendPoints, emptyColumns } from '../../src/ui/lib/pointColumns';
import { point } from './fixtures';

const enc = new TextEncoder();

/** A response whose body sends `chunks` and then ends (a dropped connection unless it sent `end`). */
function sse(chunks: string[]): Response {
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const ch of chunks) c.enqueue(enc.encode(ch));
      c.close();
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}

const pointEvent = (step: number) => `event: point\nid: ${step}\ndata: ${JSON.stringify(point(step))}\n\n`;

function follow(responses: ((lastId: string | null) => Response | Promise<Response>)[], lastEventId: string | null = null) {
  const seen: (string | null)[] = [];
  const states: StreamState[] = [];
  const cols = emptyColumns();
  const types: string[] = [];
  return new Promise<{ seen: (string | null)[]; states: StreamState[]; steps: number[]; types: string[] }>((resolve) => {
    let i = 0;
    followEventStream({
      lastEventId,
      open: async (lastId) => {
        seen.push(lastId);
        const r = responses[Math.min(i++, responses.length - 1)];
        return r(lastId);
      },
      onEvent: (e) => {
        types.push(e.type);
        if (e.type === 'point') appendPoints(cols, [JSON.parse(e.data)]);
      },
      onState: (s) => {
        states.push(s);
        if (s === 'ended' || s === 'unavailable' || s === 'failed') resolve({ seen, states, steps: cols.step, types });
      },
      // Instant retries, but a bounded number, so a broken stream fails the test instead of spinning.
      sleep: async () => {
        if (seen.length > 10) resolve({ seen, states, steps: cols.step, types });
      },
    });
  });
}

describe('followEventStream', () => {
  it('resumes with Last-Event-ID after a drop and neither loses nor duplicates a point', async () => {
    const first = () => sse([pointEvent(10), pointEvent(20), pointEvent(30).slice(0, 25)]);
    const second = (lastId: string | null) => {
      expect(lastId).toBe('20');
      // A server that resends the last point it is unsure about: the client keeps one copy.
      return sse([pointEvent(20), pointEvent(30), 'event: run\ndata: {}\n\n', pointEvent(40), 'event: end\ndata: {"status":"succeeded"}\n\n']);
    };
    const r = await follow([first, second], '0');
    expect(r.seen).toEqual(['0', '20']);
    expect(r.steps).toEqual([10, 20, 30, 40]);
    expect(r.states).toEqual(['connecting', 'live', 'reconnecting', 'live', 'ended']);
    expect(r.types.at(-1)).toBe('end');
  });

  it('keeps retrying when the server errors, then resumes', async () => {
    const failing = () => {
      throw new ApiError(503, 'not_ready', 'down');
    };
    const r = await follow([failing, () => sse([pointEvent(1), 'event: end\ndata: {}\n\n'])]);
    expect(r.seen).toEqual([null, null]);
    expect(r.steps).toEqual([1]);
  });

  it('stops and says unavailable when the server has no such stream', async () => {
    const r = await follow([
      () => {
        throw new ApiError(404, 'not_found', 'no route');
      },
    ]);
    expect(r.states).toEqual(['connecting', 'unavailable']);
  });

  it('reconnects when the connection goes silent past the idle limit', async () => {
    let opened = 0;
    const result = await new Promise<number>((resolve) => {
      followEventStream({
        idleMs: 20,
        open: async (_lastId, signal) => {
          opened++;
          if (opened === 2) return sse(['event: end\ndata: {}\n\n']);
          const body = new ReadableStream<Uint8Array>({
            start(c) {
              signal.addEventListener('abort', () => c.error(new DOMException('aborted', 'AbortError')));
            },
          });
          return new Response(body);
        },
        onEvent: () => {},
        onState: (s) => s === 'ended' && resolve(opened),
        sleep: async () => {},
      });
    });
    expect(result).toBe(2);
  });

  it('stops reading once closed', async () => {
    const events: string[] = [];
    let close = () => {};
    await new Promise<void>((resolve) => {
      close = followEventStream({
        open: async () => sse([pointEvent(1)]),
        onEvent: (e) => {
          events.push(e.type);
          close();
          setTimeout(resolve, 10);
        },
        sleep: async () => {},
      });
    });
    expect(events).toEqual(['point']);
  });
});
