// `trainyard search SEARCH.json`: runs a search locally (no service) with a live table of trials.
import { readFileSync } from 'node:fs';
import { loadDataset } from '../dataFiles/loadDataset.js';
import { runSearchLocally, type SearchTrial } from '../search/localSearch.js';
import { objectiveDirection, parseSearchSpec, type SearchSpec } from '../search/searchSpec.js';
import type { ExperimentSpec } from '../experiment/experimentSpec.js';
import type { DatasetSplits } from '../core/data/dataset.js';
import { dataDir, kernelsFor, type CommonFlags } from './commonFlags.js';
import { UsageError } from './specFile.js';

export type SearchFlags = CommonFlags;

export async function searchCommand(path: string, flags: SearchFlags): Promise<void> {
  const search = readSearchFile(path);
  const kernels = kernelsFor(flags);
  const dir = dataDir(flags);
  const cache = new Map<string, DatasetSplits>();
  const loadData = (spec: ExperimentSpec) => {
    const key = JSON.stringify({ data: spec.data, seed: spec.data.dataset === 'synthetic' ? spec.seed : 0 });
    if (!cache.has(key)) cache.set(key, loadDataset(spec, dir));
    return cache.get(key)!;
  };
  const names = Object.keys(search.space);
  const started = Date.now();
  const done: SearchTrial[] = [];
  const log = (s: string) => console.error(s);
  log(`${search.strategy.kind} search over ${names.join(', ')}; objective ${search.objective.metric} (${objectiveDirection(search)}); backend ${kernels.backend}`);
  const out = await runSearchLocally(search, {
    loadData,
    kernels,
    onEvent: (e) => {
      if (e.kind === 'stage') {
        const ivs = Object.entries(e.plan.intervals).map(([n, iv]) => `${n} in [${fmt(iv.lo)}, ${fmt(iv.hi)}]${iv.log ? ' (log10)' : ''}`);
        log(`\nstage ${e.plan.stage + 1} (${e.plan.kind}): ${e.plan.trials.length} trials${ivs.length ? '; ' + ivs.join(', ') : ''}`);
        log(`  ${'trial'.padEnd(6)}${names.map((n) => n.padEnd(14)).join('')}${'status'.padEnd(11)}objective  test acc.`);
      } else if (e.kind === 'progress' && process.stderr.isTTY) {
        process.stderr.write(`\r  training trials ${e.trials.join(',')}: step ${e.step}/${e.totalSteps} (${((Date.now() - started) / 1000).toFixed(0)} s)   `);
      } else if (e.kind === 'trial') {
        if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
        done.push(e.trial);
        log(`  ${String(e.trial.id).padEnd(6)}${names.map((n) => fmt(e.trial.params[n]).padEnd(14)).join('')}${e.trial.status.padEnd(11)}${fmt(e.trial.objective).padEnd(11)}${pct(e.trial.result?.test.accuracy)}`);
      } else if (e.kind === 'group' && done.length > 0) {
        log(`  leaderboard: ${leaderboard(search, done).slice(0, 3).map((t) => `#${t.id} ${fmt(t.objective)}`).join(', ')}`);
      }
    },
  });
  const board = leaderboard(search, out.trials);
  log(`\nleaderboard (${out.trials.length} trials, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  for (const [i, t] of board.slice(0, 10).entries()) log(`  ${i + 1}. trial ${t.id} stage ${t.stage + 1}: ${names.map((n) => `${n}=${fmt(t.params[n])}`).join(' ')} ${search.objective.metric}=${fmt(t.objective)} test=${pct(t.result?.test.accuracy)}`);
  if (out.best) log(`best: trial ${out.best.id}, test accuracy ${pct(out.best.result?.test.accuracy)}`);
  if (flags.json) {
    const brief = (t: SearchTrial) => ({ id: t.id, stage: t.stage, params: t.params, status: t.status, objective: t.objective, testAccuracy: t.result?.test.accuracy ?? null, reusedFrom: t.reusedFrom, prunedAtStep: t.prunedAtStep });
    process.stdout.write(JSON.stringify({ best: out.best && brief(out.best), stages: out.stages, trials: out.trials.map(brief) }) + '\n');
  }
}

function leaderboard(search: SearchSpec, trials: SearchTrial[]): SearchTrial[] {
  const sign = objectiveDirection(search) === 'maximize' ? -1 : 1;
  const rankOf = (t: SearchTrial) => (t.status === 'pruned' ? 1 : 0);
  return trials.filter((t) => t.objective !== null && t.reusedFrom === null).sort((a, b) => rankOf(a) - rankOf(b) || sign * (a.objective! - b.objective!));
}

function readSearchFile(path: string): SearchSpec {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read search ${path}: ${(e as Error).message}`);
  }
  const r = parseSearchSpec(json);
  if (!r.ok) throw new UsageError(`search ${path} is invalid:\n` + r.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n'));
  return r.search;
}

function fmt(v: unknown): string {
  if (typeof v === 'number') return Math.abs(v) !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
  if (v === null || v === undefined) return '-';
  return JSON.stringify(v);
}

function pct(v: number | undefined): string {
  return v === undefined || Number.isNaN(v) ? '-' : `${(100 * v).toFixed(2)} %`;
}
