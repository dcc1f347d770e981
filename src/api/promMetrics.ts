// Prometheus metrics for GET /metrics: HTTP traffic, queue depth, runs by status, epoch
// durations. Gauges are read at scrape time; epoch durations are taken from the epochs that
// workers stored since the previous scrape (workers may run on other machines).
import type { Queue } from 'bullmq';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Store } from '../store/store.js';

export interface ApiMetrics {
  registry: Registry;
  observeRequest(method: string, route: string, status: number, seconds: number): void;
}

export function createApiMetrics(store: Store, queue: Queue | null): ApiMetrics {
  const counted: { at: number; counts: Record<string, number> } = { at: 0, counts: {} };
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'trainyard_api_' });
  const requests = new Counter({ name: 'trainyard_http_requests_total', help: 'HTTP requests by method, route and status', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const duration = new Histogram({
    name: 'trainyard_http_request_duration_seconds',
    help: 'HTTP request duration by method and route',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  new Gauge({
    name: 'trainyard_queue_jobs',
    help: 'Jobs in the queue by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      if (!queue) return;
      const counts = await Promise.race([queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized'), new Promise<null>((r) => setTimeout(() => r(null), 1000))]);
      if (!counts) return;
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'trainyard_runs',
    help: 'Runs by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      // A table-wide count: taken at most every 30 s, whatever the scrape interval.
      if (Date.now() - counted.at > 30_000) counted.counts = await store.runs.countsByStatus().then((c) => ((counted.at = Date.now()), c));
      for (const [status, n] of Object.entries(counted.counts)) this.set({ status }, n);
    },
  });
  const epochSeconds = new Histogram({
    name: 'trainyard_epoch_train_seconds',
    help: 'Time spent in update steps per stored epoch',
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  });
  let since = new Date();
  new Gauge({
    name: 'trainyard_epochs_observed',
    help: 'Epochs taken into trainyard_epoch_train_seconds by this API process',
    registers: [registry],
    async collect() {
      const now = new Date();
      const seconds = await store.metrics.epochTrainSecondsBetween(since, now, 10_000);
      since = now;
      for (const s of seconds) epochSeconds.observe(s);
      this.inc(seconds.length);
    },
  });
  return {
    registry,
    observeRequest(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      duration.observe({ method, route }, seconds);
    },
  };
}
