// Pushed progress for the running runs in view: one event stream per run, at most MAX_STREAMS at
// once, because a browser keeps only six HTTP/1.1 connections per server and pages need some.
import { useEffect, useRef } from 'preact/hooks';
import type { Api } from '../../api/client';
import { followEventStream } from '../../api/eventStream';
import type { Run } from '../../api/types';

export const MAX_STREAMS = 3;

export function useLiveRows(api: Api, visibleRunning: Run[], onRun: (run: Run) => void): void {
  const streams = useRef(new Map<string, () => void>());
  const onRunRef = useRef(onRun);
  onRunRef.current = onRun;
  const wanted = visibleRunning.slice(0, MAX_STREAMS);
  const key = wanted.map((r) => r.id).join(',');

  useEffect(() => {
    const ids = new Set(wanted.map((r) => r.id));
    for (const [id, close] of streams.current) {
      if (!ids.has(id)) {
        close();
        streams.current.delete(id);
      }
    }
    for (const run of wanted) {
      if (streams.current.has(run.id)) continue;
      const close = followEventStream({
        // Resume at the run's current step: the table needs its progress, not its past points.
        lastEventId: String(run.progress.step),
        open: (last, signal) => api.runEvents(run.id, last, signal),
        onEvent: (e) => {
          if (e.type === 'run') onRunRef.current(JSON.parse(e.data) as Run);
          else if (e.type === 'end') api.getRun(run.id).then((r) => onRunRef.current(r), () => {});
        },
      });
      streams.current.set(run.id, close);
    }
  }, [key]);

  useEffect(
    () => () => {
      for (const close of streams.current.values()) close();
      streams.current.clear();
    },
    [],
  );
}
