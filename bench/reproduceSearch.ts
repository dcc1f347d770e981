// `npm run reproduce:search -- [--data DIR] [--workers N] [--search FILE] [--api URL --key KEY]`
// The reports' coarse-to-fine lambda search for the 3-layer batch-norm network, through the API
// on real CIFAR-10 (examples/searches/lambda-coarse-to-fine.json: 10 random log10 lambda in
// [-3, -1], a refined stage, then the best retrained for 3 cycles). Starts a local service (a
// fresh database, the API, N workers) unless --api and --key name a running one. Prints the
// stages with their intervals and lineage, the leaderboard, the final test accuracy against the
// reports' 53.82 %, and the wall time.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startLocalService, type LocalService } from './serviceHarness.js';
import { benchArgs } from './benchArgs.js';

const REPORTED = 0.5382;
const TOLERANCE = 0.015;

const values = benchArgs(import.meta.url, {
    data: { type: 'string' },
    workers: { type: 'string', default: String(cpus().length) },
    search: { type: 'string', default: fileURLToPath(new URL('../../examples/searches/lambda-coarse-to-fine.json', import.meta.url)) },
    api: { type: 'string' },
    key: { type: 'string' },
  });
const dataDir = values.data ?? process.env.CIFAR10_DIR;
if (!values.api && !dataDir) {
  console.error('CIFAR-10 is needed: pass --data DIR or set CIFAR10_DIR (or point --api/--key at a service whose workers have it)');
  process.exit(2);
}
if (dataDir) process.env.CIFAR10_DIR = dataDir;
const search = JSON.parse(readFileSync(values.search!, 'utf8'));
const log = (s: string) => console.log(s);
const pct = (x: number | null | undefined) => (x === null || x === undefined ? '-' : `${(100 * x).toFixed(2)} %`);
const lam = (x: unknown) => (typeof x === 'number' ? `${x.toExponential(3)} (log10 ${Math.log10(x).toFixed(3)})` : String(x));

type Client = Pick<LocalService, 'get' | 'post'>;

function remoteClient(api: string, key: string): Client {
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  return {
    get: async (path) => (await fetch(api + path, { headers })).json(),
    post: async (path, body) => {
      const r = await fetch(api + path, { method: 'POST', headers, body: JSON.stringify(body) });
      if (r.status >= 300) throw new Error(`POST ${path}: ${r.status} ${await r.text()}`);
      return r.json();
    },
  };
}

const local = values.api ? null : await startLocalService('reproduce', Number(values.workers));
const api: Client = local ?? remoteClient(values.api!, values.key!);
try {
  log(`# coarse-to-fine lambda search on CIFAR-10 through the API (${new Date().toISOString()})`);
  log(`search: ${values.search}; ${local ? `local service, ${values.workers} worker processes, 1 BLAS thread each` : `service at ${values.api}`}`);
  const started = Date.now();
  const created = await api.post('/v1/searches', search);
  let last = '';
  let done: any;
  for (;;) {
    done = await api.get(`/v1/searches/${created.id}`);
    const line = `${done.status}: stage ${done.stages.length}/${done.stagesTotal}, trials ${done.counts.succeeded} succeeded, ${done.counts.running} running, ${done.counts.queued} queued; best ${done.best ? `${lam(done.best.params.lambda)} val ${pct(done.best.objective)}` : '-'}`;
    if (line !== last) log(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${line}`);
    last = line;
    if (['succeeded', 'failed', 'cancelled'].includes(done.status)) break;
    if (local && local.workers.every((w) => w.child.exitCode !== null || w.child.signalCode !== null)) throw new Error('every worker exited');
    await new Promise((r) => setTimeout(r, 5000));
  }
  const wall = (Date.parse(done.finishedAt ?? new Date().toISOString()) - Date.parse(done.createdAt)) / 1000;
  if (done.status !== 'succeeded') throw new Error(`search ${done.status}: ${done.error}`);

  log(`\n## stages`);
  for (const st of done.stages) {
    const iv = st.intervals.lambda;
    const lineage = st.lineage ? `from stage ${st.lineage.parentStage}: best ${lam(st.lineage.best.lambda)}${st.lineage.second ? `, second ${lam(st.lineage.second.lambda)}` : ''}` : 'the search space';
    log(`- stage ${st.stage} (${st.kind}), ${st.trials} trials: ${iv ? `log10 lambda in [${iv.lo.toFixed(3)}, ${iv.hi.toFixed(3)}]` : `fixed ${JSON.stringify(st.fixed)}`}; ${lineage}`);
  }
  const board = await api.get(`/v1/searches/${created.id}/leaderboard?limit=25`);
  log(`\n## leaderboard (by validation accuracy)`);
  log(`| rank | stage | lambda | log10 lambda | val acc. | test acc. | status |`);
  log(`|---|---|---|---|---|---|---|`);
  for (const e of board.entries) {
    log(`| ${e.rank} | ${e.stage} | ${e.params.lambda.toExponential(3)} | ${Math.log10(e.params.lambda).toFixed(3)} | ${pct(e.metrics.validation?.accuracy)} | ${pct(e.metrics.test?.accuracy)} | ${e.status}${e.reusedFrom ? ' (reused)' : ''} |`);
  }
  const best = await api.get(`/v1/runs/${done.best.runId}`);
  const test = best.metrics.test.accuracy as number;
  log(`\n## result`);
  log(`final retrain: lambda ${lam(best.trial.params.lambda)}, ${best.spec.training.schedule.cycles} cycles, n_s ${best.spec.training.schedule.stepSize}: test accuracy ${pct(test)} (validation ${pct(best.metrics.validation.accuracy)})`);
  log(`reported: ${pct(REPORTED)}; difference ${((test - REPORTED) * 100).toFixed(2)} points (target within ±${(TOLERANCE * 100).toFixed(1)}): ${Math.abs(test - REPORTED) <= TOLERANCE ? 'within target' : 'OUTSIDE the target'}`);
  log(`wall time (search created to finished): ${wall.toFixed(0)} s (${(wall / 60).toFixed(1)} min), ${done.counts.total} trials`);
} finally {
  await local?.stop();
}
process.exit(0);
