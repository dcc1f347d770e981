import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from '../../src/ui/api/sseParser';

function parse(chunks: string[], lastEventId = '') {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const retries: number[] = [];
  const p = new SseParser({ onEvent: (e) => events.push(e), onComment: (c) => comments.push(c), onRetry: (ms) => retries.push(ms) }, lastEventId);
  for (const c of chunks) p.feed(c);
  return { events, comments, retries, parser: p };
}

describe('SseParser', () => {
  it('parses named events with ids and data', () => {
    const { events } = parse(['event: point\nid: 40\ndata: {"step":40}\n\n']);
    expect(events).toEqual([{ type: 'point', data: '{"step":40}', lastEventId: '40' }]);
  });

  it('gives the same events whatever the chunk boundaries', () => {
    const text = 'event: run\ndata: {"a":1}\n\n: ping\n\nevent: point\nid: 7\ndata: x\r\n\r\nid: 8\rdata: y\r\r';
    const whole = parse([text]).events;
    expect(whole.map((e) => e.data)).toEqual(['{"a":1}', 'x', 'y']);
    for (let size = 1; size <= 5; size++) {
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      expect(parse(chunks).events).toEqual(whole);
    }
  });

  it('treats a CR at a chunk end and LF at the next start as one line break', () => {
    const { events } = parse(['data: a\r', '\ndata: b\r', '\n\r', '\n']);
    expect(events).toEqual([{ type: 'message', data: 'a\nb', lastEventId: '' }]);
  });

  it('joins multi-line data with newlines and strips one leading space only', () => {
    const { events } = parse(['data: first\ndata:  second\ndata\n\n']);
    expect(events[0].data).toBe('first\n second\n');
  });

  it('reports comments and does not dispatch them', () => {
    const { events, comments } = parse([': ping\n\n:\n\n']);
    expect(events).toEqual([]);
    expect(comments).toEqual(['ping', '']);
  });

  it('keeps the last id across events until a new one, and ignores ids with NUL', () => {
    const { events, parser } = parse(['id: 5\ndata: a\n\ndata: b\n\nid: 6\0\ndata: c\n\nid\ndata: d\n\n'], '1');
    expect(events.map((e) => e.lastEventId)).toEqual(['5', '5', '5', '']);
    expect(parser.eventId).toBe('');
  });

  it('starts from the given last id and updates it on an id-only block', () => {
    const p = parse(['id: 99\n\n'], '3').parser;
    expect(p.eventId).toBe('99');
    expect(parse([], '3').parser.eventId).toBe('3');
  });

  it('does not dispatch an event until its blank line arrives, nor resume from its id', () => {
    const { events, parser } = parse(['id: 3\nevent: end\ndata: {"status":"succeeded"}\n'], '2');
    expect(events).toEqual([]);
    expect(parser.eventId).toBe('2');
  });

  it('resets the event type after each dispatch and skips unknown fields', () => {
    const { events } = parse(['event: epoch\nfoo: bar\ndata: 1\n\ndata: 2\n\n']);
    expect(events.map((e) => e.type)).toEqual(['epoch', 'message']);
  });

  it('reads retry only when it is all digits', () => {
    expect(parse(['retry: 2500\n\nretry: 1.5\n\nretry: x\n\n']).retries).toEqual([2500]);
  });

  it('drops a leading byte order mark', () => {
    expect(parse(['\ufeffdata: a\n\n']).events[0].data).toBe('a');
  });
});
