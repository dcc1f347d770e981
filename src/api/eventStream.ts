// A server-sent-events stream on a Fastify reply: the headers, events with ids, heartbeat
// comments, backpressure, and the end of the stream when the client goes away.
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface EventStream {
  send(event: string, data: unknown, id?: string): Promise<void>;
  /** The stream is over (client gone, or ended): stop working for it. */
  readonly closed: boolean;
  end(): void;
  onClose(f: () => void): void;
}

const HEARTBEAT_MS = 15_000;

/** The cursor a reconnecting client sends: the Last-Event-ID header, else ?after=. */
export function lastEventId(req: FastifyRequest): string | undefined {
  const h = req.headers['last-event-id'];
  if (typeof h === 'string' && h !== '') return h;
  const after = (req.query as { after?: unknown } | undefined)?.after;
  return typeof after === 'string' && after !== '' ? after : undefined;
}

export function openEventStream(req: FastifyRequest, reply: FastifyReply): EventStream {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-content-type-options': 'nosniff',
    'x-request-id': req.id,
  });
  // A dropped connection is retried after 2 s by EventSource-style clients.
  res.write('retry: 2000\n\n');
  let closed = false;
  const closers: (() => void)[] = [];
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    for (const f of closers) f();
  };
  const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
  req.raw.on('close', close);
  res.on('close', close);
  res.on('error', close);
  return {
    get closed() {
      return closed;
    },
    async send(event, data, id) {
      if (closed) return;
      const frame = `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
      if (!res.write(frame)) await new Promise<void>((resolve) => (closed ? resolve() : res.once('drain', resolve).once('close', resolve)));
    },
    end() {
      if (closed) return;
      close();
      res.end();
    },
    onClose(f) {
      closers.push(f);
    },
  };
}
