// supertest against a real listening server, every response checked against openapi.yaml.
import type { Server } from 'node:http';
import request from 'supertest';
import { Contract } from './openapiContract.js';

export interface Reply {
  status: number;
  body: any;
  headers: Record<string, string>;
  text: string;
}

export function apiClient(server: Server | string, contract: Contract) {
  const agent = request(server as never);
  async function send(method: 'get' | 'post' | 'patch', path: string, opts: { key?: string; body?: unknown; raw?: string; contentType?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
    let req = agent[method](path);
    if (opts.key) req = req.set('Authorization', `Bearer ${opts.key}`);
    for (const [k, v] of Object.entries(opts.headers ?? {})) req = req.set(k, v);
    if (opts.raw !== undefined) req = req.set('Content-Type', opts.contentType ?? 'application/json').send(opts.raw);
    else if (opts.body !== undefined) req = req.send(opts.body as object);
    const res = await req;
    const reply: Reply = { status: res.status, body: res.body, headers: res.headers as Record<string, string>, text: res.text };
    if (!path.startsWith('/docs')) contract.check(method, path, res.status, res.headers['content-type'], res.body);
    return reply;
  }
  return {
    get: (path: string, key?: string, headers?: Record<string, string>) => send('get', path, { key, headers }),
    post: (path: string, key: string | undefined, body?: unknown, headers?: Record<string, string>) => send('post', path, { key, body, headers }),
    patch: (path: string, key: string | undefined, body?: unknown) => send('patch', path, { key, body }),
    raw: (path: string, key: string | undefined, raw: string, contentType?: string, method: 'post' | 'patch' = 'post') => send(method, path, { key, raw, contentType }),
  };
}
