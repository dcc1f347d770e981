// A run, its curves thinned to the chart width, and while it trains the server's pushed events:
// new points are appended from the last step held (the stream resumes there), the run body is
// replaced on each `run` event, and `end` reloads the final body.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../../api/client';
import { followEventStream, type StreamState } from '../../api/eventStream';
import type { MetricPoint, Run } from '../../api/types';
import { appendPoints, columnsFrom, emptyColumns, lastStep, type PointColumns } from '../../lib/pointColumns';

const FINISHED = ['succeeded', 'failed', 'cancelled', 'pruned'];

export interface RunData {
  run: Run | undefined;
  runError: unknown;
  setRun: (r: Run) => void;
  /** The points held; appended to in place, `version` says when. */
  cols: PointColumns;
  version: number;
  metricsError: unknown;
  stream: StreamState | null;
  /** Bumps when the run finishes while the page is open (artifacts appear then). */
  finished: number;
}

export function useRunData(api: Api, id: string, maxPoints: number | null): RunData {
  const [run, setRun] = useState<Run | undefined>(undefined);
  const [runError, setRunError] = useState<unknown>(null);
  const [metricsError, setMetricsError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  const [stream, setStream] = useState<StreamState | null>(null);
  const [finished, setFinished] = useState(0);
  const cols = useRef<PointColumns>(emptyColumns());
  const frame = useRef(0);

  // Many points can arrive per frame while a run trains fast; one render per frame is enough.
  const bump = () => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      setVersion((v) => v + 1);
    });
  };

  useEffect(() => {
    api.getRun(id).then(setRun, setRunError);
  }, [id]);

  const status = run?.status;
  useEffect(() => {
    if (maxPoints === null || status === undefined) return;
    let close = () => {};
    let stopped = false;
    api.metrics(id, { maxPoints }).then(
      (m) => {
        if (stopped) return;
        cols.current = columnsFrom(m.points, m.bucketWidth);
        bump();
        if (FINISHED.includes(status)) return;
        const last = lastStep(cols.current);
        close = followEventStream({
          lastEventId: last === null ? null : String(last),
          open: (lastId, signal) => api.runEvents(id, lastId, signal),
          onState: setStream,
          onEvent: (e) => {
            if (e.type === 'point') {
              if (appendPoints(cols.current, [JSON.parse(e.data) as MetricPoint])) bump();
            } else if (e.type === 'run') setRun(JSON.parse(e.data) as Run);
            else if (e.type === 'end') {
              api.getRun(id).then(setRun, () => {});
              setFinished((f) => f + 1);
            }
          },
        });
      },
      (e) => !stopped && setMetricsError(e),
    );
    return () => {
      stopped = true;
      close();
      cancelAnimationFrame(frame.current);
      frame.current = 0;
    };
    // Started once per run page, when the chart width is known and the run loaded.
  }, [id, maxPoints === null, status === undefined]);

  return { run, runError, setRun, cols: cols.current, version, metricsError, stream, finished };
}
