// The live-event endpoint under load: 200 open streams on one run all get each change, follow the
// same auth and tenant rules as every route, and opening and closing them leaves no memory behind.
import assert from 'node:assert/strict';
import { request, type ClientRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { newKey, tinySpec, waitFor } from '../helpers/serviceEnv.js';
import { startTestService, type TestService } from '../helpers/testService.js';

const ROUNDS = Number(process.env.STREAM_ROUNDS ?? 3);
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface OpenStream {
  req: ClientRequest;
  status: number;
  events: string[];
}

function open(port: number, path: string, key: string): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const s: OpenStream = { req: undefined as never, status: 0, events: [] };
    s.req = request({ host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${key}` } }, (res) => {
      s.status = res.statusCode!;
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (d) => {
        buf += d;
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = /^event: (\w+)$/m.exec(frame);
          if (ev) s.events.push(ev[1]);
        }
      });
      res.on('error', () => {});
      resolve(s);
    });
    s.req.on('error', (err) => (s.status ? undefined : reject(err)));
    s.req.end();
  });
}

describe('live events: 200 streams', () => {
  let svc: TestService;
  let key: string;
  let port: number;
  let runId: string;
  before(async () => {
    svc = await startTestService('streams', { config: { rateLimitMax: 1_000_000 } });
    key = await newKey(svc.t.store, 'streams');
    port = (svc.app.server.address() as { port: number }).port;
    runId = (await svc.api.post('/v1/runs', key, { spec: tinySpec() })).body.id;
  });
  after(async () => {
    await svc?.stop();
  });

  const openMany = async (n: number) => {
    const streams = await Promise.all(Array.from({ length: n }, () => open(port, `/v1/runs/${runId}/events`, key)));
    await waitFor('every stream to get the run', async () => streams.every((s) => s.events.includes('run')), 30_000);
    return streams;
  };
  const closeAll = async (streams: OpenStream[]) => {
    for (const s of streams) s.req.destroy();
    await new Promise((r) => setTimeout(r, 300));
  };

  it('every one of 200 streams gets each change, and memory does not grow across open/close rounds', async () => {
    let base = 0;
    for (let round = 0; round < ROUNDS + 2; round++) {
      gc();
      // Two rounds warm up pools, prepared statements and compiled code; then nothing may pile up.
      if (round === 2) base = process.memoryUsage().heapUsed;
      const streams = await openMany(200);
      assert.ok(streams.every((s) => s.status === 200));
      // Plain fetch: the contract checker's schema compiler would show up in this process's heap.
      await fetch(`http://127.0.0.1:${port}/v1/runs/${runId}`, { method: 'PATCH', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ notes: `round ${round}` }) });
      await waitFor('the change to reach all 200 streams', async () => streams.every((s) => s.events.filter((e) => e === 'run').length >= 2), 30_000);
      await closeAll(streams);
    }
    gc();
    const growth = process.memoryUsage().heapUsed - base;
    console.log(`# ${ROUNDS} rounds of 200 streams opened, fed and closed after warming up: heap ${(growth / 1e6).toFixed(2)} MB above before them`);
    assert.ok(growth < 2e6, `heap grew ${(growth / 1e6).toFixed(1)} MB over ${ROUNDS} rounds of 200 streams`);
  });

  it('follows the auth and tenant rules of every route', async () => {
    const other = await newKey(svc.t.store, 'streams-other');
    assert.equal((await open(port, `/v1/runs/${runId}/events`, other)).status, 404);
    assert.equal((await open(port, `/v1/runs/${runId}/events`, 'ty_nope')).status, 401);
  });
});
