// Live events, pushed (server-sent events), not polled: /v1/runs/:id/events sends the run's
// status and progress, each new evaluation point (id: its step) and each epoch; a reconnecting
// client sends Last-Event-ID (the last step it has) and gets exactly the points after it.
// /v1/searches/:id/events sends the search and each trial that changed (id: the change's time).
// Changes arrive from Postgres' LISTEN/NOTIFY (app.store.changes); a slow poll covers a feed outage.
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { TERMINAL } from '../../store/runs.js';
import { ApiError } from '../errors.js';
import { lastEventId, openEventStream, type EventStream } from '../eventStream.js';
import { runBody, searchBoardEntry, searchBody } from '../responseBodies.js';
import { prunedReasonsOf } from '../rungs.js';
import { parseOr400, uuid } from '../validate.js';

const FALLBACK_POLL_MS = 5000;
const PAGE = 1000;
const idParams = z.strictObject({ id: uuid });
const eventsQuery = z.strictObject({ after: z.string().regex(/^-?\d{1,13}$/, 'must be the id of the last event received').optional() });

/** Runs `work` now and whenever `wake` is called, one at a time (wakes during a run coalesce into one more run). */
function serialised(work: () => Promise<boolean>, onError: (err: unknown) => void) {
  let running = false;
  let again = false;
  let done = false;
  const wake = async (): Promise<void> => {
    if (done) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        done = await work();
      } while (again && !done);
    } catch (err) {
      onError(err);
    } finally {
      running = false;
    }
  };
  return wake;
}

function watch(stream: EventStream, subscribe: (wake: () => void) => () => void, wake: () => Promise<void>) {
  const unsubscribe = subscribe(() => void wake());
  const poll = setInterval(() => void wake(), FALLBACK_POLL_MS);
  stream.onClose(() => {
    unsubscribe();
    clearInterval(poll);
  });
  void wake();
}

export const eventRoutes = (): FastifyPluginAsync => async (app) => {
  const { runs, metrics, searches, leaderboards, changes } = app.store;

  app.get('/v1/runs/:id/events', async (req, reply) => {
    const { id } = parseOr400(idParams, req.params, 'path');
    const given = lastEventId(req);
    const { after } = parseOr400(eventsQuery, given === undefined ? {} : { after: given }, 'Last-Event-ID');
    const run = await runs.get(req.projectId, id);
    if (!run) throw new ApiError('not_found', `no run ${id} in this project`);
    const stream = openEventStream(req, reply);
    let cursor = after === undefined ? -1 : Number(after);
    let lastEpochStep = cursor;
    let lastSeen = '';
    const work = async (): Promise<boolean> => {
      const now = await runs.get(req.projectId, id);
      if (!now || stream.closed) return true;
      for (;;) {
        const page = await metrics.points(id, cursor, PAGE);
        for (const p of page.points) {
          await stream.send('point', p, String(p.step));
          cursor = p.step;
        }
        if (!page.more) break;
      }
      const epochs = (await metrics.epochs(id, 0, 100_000)).epochs.filter((e) => e.step > lastEpochStep && e.step <= cursor);
      for (const e of epochs) {
        await stream.send('epoch', e);
        lastEpochStep = e.step;
      }
      const seen = `${now.status}|${now.step}|${now.updatedAt.getTime()}|${now.error ?? ''}`;
      if (seen !== lastSeen) {
        lastSeen = seen;
        await stream.send('run', runBody(now));
      }
      if (TERMINAL.includes(now.status)) {
        await stream.send('end', { status: now.status });
        stream.end();
        return true;
      }
      return false;
    };
    watch(stream, (wake) => changes.subscribe('run', id, wake), serialised(work, (err) => req.log.warn({ err: (err as Error).message }, 'run events: a refresh failed; the next change retries')));
  });

  // Every run of the project that changes (a runs table's live progress on one connection).
  app.get('/v1/runs/events', async (req, reply) => {
    parseOr400(z.strictObject({}), req.query, 'query');
    const stream = openEventStream(req, reply);
    const changed = new Set<string>();
    const work = async (): Promise<boolean> => {
      const ids = [...changed];
      changed.clear();
      for (const id of ids) {
        const run = await runs.get(req.projectId, id);
        if (run) await stream.send('run', runBody(run));
      }
      return stream.closed;
    };
    const wake = serialised(work, (err) => req.log.warn({ err: (err as Error).message }, 'runs events: a refresh failed'));
    const unsubscribe = changes.subscribeAll('run', (id) => {
      changed.add(id);
      void wake();
    });
    stream.onClose(unsubscribe);
  });

  app.get('/v1/searches/:id/events', async (req, reply) => {
    const { id } = parseOr400(idParams, req.params, 'path');
    const given = lastEventId(req);
    const { after } = parseOr400(eventsQuery, given === undefined ? {} : { after: given }, 'Last-Event-ID');
    const search = await searches.get(req.projectId, id);
    if (!search) throw new ApiError('not_found', `no search ${id} in this project`);
    const stream = openEventStream(req, reply);
    let since = new Date(after === undefined ? 0 : Number(after));
    let lastSeen = '';
    const work = async (): Promise<boolean> => {
      const s = await searches.get(req.projectId, id);
      if (!s || stream.closed) return true;
      const changed = await leaderboards.changedSince(id, since, 5000);
      const pruned = changed.some((r) => r.status === 'pruned') ? await prunedReasonsOf(app.store, [s]) : new Map();
      for (const r of changed) {
        const { rank: _rank, ...entry } = searchBoardEntry(r, 0, pruned.get(r.id) ?? null);
        await stream.send('trial', entry, String(r.updated_at.getTime()));
        since = r.updated_at;
      }
      const seen = `${s.status}|${s.updatedAt.getTime()}|${s.bestRunId ?? ''}`;
      if (seen !== lastSeen) {
        lastSeen = seen;
        const details = await searches.details([s.id]);
        await stream.send('search', searchBody(s, details));
      }
      if (s.status === 'succeeded' || s.status === 'failed' || s.status === 'cancelled') {
        await stream.send('end', { status: s.status });
        stream.end();
        return true;
      }
      return false;
    };
    watch(stream, (wake) => changes.subscribe('search', id, wake), serialised(work, (err) => req.log.warn({ err: (err as Error).message }, 'search events: a refresh failed; the next change retries')));
  });
};
