// A private service with real work in it, for `npm run screenshots` without BASE_URL/KEY: a
// migrated database of its own, the API in this process serving the built dashboard, one worker
// process, and everything seeded through the public API (runs of several shapes, a one-layer
// run whose W rows draw as images, a search with successive halving, and a run left training).
import { newKey, waitFor } from './serviceEnv.js';
import { startTestService } from './testService.js';

export interface SeededService {
  base: string;
  key: string;
  /** Ids of what was seeded, by role. */
  ids: { runs: string[]; oneLayer: string; search: string; running: string };
  stop(): Promise<void>;
}

const data = (features: number, trainSize = 2000) => ({ dataset: 'synthetic', trainSize, validationSize: 500, testSize: 500, features, classes: 10, separation: 1.5 });

/** Finished runs of different shapes, each a second or two on one core. */
const RUNS = [
  { name: 'linear-softmax-lambda0.1', tags: ['one-layer', 'images'], spec: { data: data(3072), model: { hidden: [] }, training: { batchSize: 100, lambda: 0.1, schedule: { kind: 'constant', eta: 0.001, epochs: 20 }, evalsPerEpoch: 4 }, seed: 1 } },
  { name: 'two-layer-cyclic', tags: ['cyclical'], spec: { data: data(192), model: { hidden: [50] }, training: { batchSize: 50, lambda: 0.01, schedule: { kind: 'cyclical', etaMin: 1e-5, etaMax: 0.1, stepSize: 80, cycles: 3 }, evalsPerEpoch: 5 }, seed: 2 } },
  { name: 'three-layer-batchnorm', tags: ['batchnorm', 'cyclical'], spec: { data: data(192), model: { hidden: [50, 30], batchNorm: 'before' }, training: { batchSize: 50, lambda: 0.005, schedule: { kind: 'cyclical', etaMin: 1e-5, etaMax: 0.1, stepSize: 100, cycles: 2 }, evalsPerEpoch: 5 }, seed: 3 } },
  { name: 'two-layer-step-decay', tags: ['step-decay'], spec: { data: data(192), model: { hidden: [64] }, training: { batchSize: 100, lambda: 0.001, momentum: 0.9, schedule: { kind: 'stepDecay', eta: 0.05, decay: 0.5, epochs: 12 }, evalsPerEpoch: 4 }, seed: 4 } },
  { name: 'overfitting-no-regularisation', tags: ['baseline'], spec: { data: data(192, 500), model: { hidden: [100] }, training: { batchSize: 25, lambda: 0, schedule: { kind: 'constant', eta: 0.05, epochs: 30 }, evalsPerEpoch: 2 }, seed: 5 } },
];

const SEARCH = {
  name: 'lambda-eta-halving',
  base: { data: data(192), model: { hidden: [32] }, training: { batchSize: 50, schedule: { kind: 'cyclical', etaMin: 1e-5, etaMax: 0.1, stepSize: 80, cycles: 3 }, evalsPerEpoch: 2 } },
  space: { lambda: { logUniform: [-5, -1] }, etaMax: { values: [0.02, 0.05, 0.1] }, 'model.hidden.0': { intRange: { min: 16, max: 64, step: 8 } } },
  strategy: { kind: 'random', trials: 24, seed: 3 },
  pruning: { kind: 'successiveHalving', reduction: 2 },
};

/** Left training while the pages are shown (cancelled with everything at teardown). */
const RUNNING = { name: 'still-training', tags: ['live'], spec: { data: data(3072, 5000), model: { hidden: [64] }, training: { batchSize: 50, lambda: 0.001, schedule: { kind: 'cyclical', etaMin: 1e-5, etaMax: 0.05, stepSize: 500, cycles: 50 }, evalsPerEpoch: 4 }, seed: 6 } };

export async function startSeededService(log: (line: string) => void = () => {}): Promise<SeededService> {
  const svc = await startTestService('shots', { workerEnv: { TRAINYARD_THREADS: '1', LOG_LEVEL: 'warn' } });
  try {
    const key = await newKey(svc.t.store, 'screenshots');
    const base = `http://127.0.0.1:${(svc.app.server.address() as { port: number }).port}`;
    const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
      const r = await fetch(base + path, { method, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
      return r.json() as Promise<any>;
    };
    svc.spawnWorker();
    await svc.waitWorkers(1);
    log(`service at ${base}, one worker; seeding through the API`);
    const runs: string[] = [];
    for (const r of RUNS) runs.push((await call('POST', '/v1/runs', r)).id);
    const search = (await call('POST', '/v1/searches', SEARCH)).id as string;
    const finished = (s: string) => ['succeeded', 'failed', 'cancelled', 'pruned'].includes(s);
    await waitFor(
      'the seeded runs and search to finish',
      async () => {
        const states = await Promise.all(runs.map(async (id) => (await call('GET', `/v1/runs/${id}`)).status as string));
        const s = await call('GET', `/v1/searches/${search}`);
        return states.every(finished) && finished(s.status);
      },
      300_000,
      500,
    );
    log(`${runs.length} runs and a search of ${SEARCH.strategy.trials} trials trained`);
    // Last, so it does not hold the only worker while the rest waits.
    const running = (await call('POST', '/v1/runs', RUNNING)).id as string;
    await waitFor('the last run to be training with points', async () => {
      const r = await call('GET', `/v1/runs/${running}`);
      return r.status === 'running' && r.progress.step >= 400;
    }, 120_000, 250);
    return {
      base,
      key,
      ids: { runs, oneLayer: runs[0], search, running },
      stop: () => svc.stop(),
    };
  } catch (e) {
    console.error(svc.logs());
    await svc.stop();
    throw e;
  }
}
