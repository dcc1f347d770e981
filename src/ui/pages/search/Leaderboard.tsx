// Every trial of the search, sortable by any column in the browser, filtered by the brushes on
// the parallel coordinates, virtualised so 2,000 trials cost as much as 30. Pointing at a row
// highlights the trial in the other views.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { LeaderboardEntry } from '../../api/types';
import { href } from '../../app/route';
import { StatusBadge } from '../../components/StatusBadge';
import { sortEntries } from '../../lib/boardSort';
import { num, pct } from '../../lib/format';
import { rowWindow } from '../../lib/virtualWindow';
import './leaderboard.css';

const ROW_H = 34;

interface Col {
  key: string;
  header: string;
  numeric?: boolean;
  cell: (e: LeaderboardEntry) => string;
}

const paramText = (v: unknown) => (typeof v === 'number' ? num(v, 4) : v === undefined ? '—' : JSON.stringify(v));

interface Props {
  entries: LeaderboardEntry[];
  params: string[];
  objectiveLabel: string;
  descendingIsBetter: boolean;
  hovered: string | null;
  onHover: (runId: string | null) => void;
  total: number;
  loaded: boolean;
}

export function Leaderboard({ entries, params, objectiveLabel, descendingIsBetter, hovered, onHover, total, loaded }: Props) {
  const [sort, setSort] = useState<{ key: string; desc: boolean }>({ key: 'objective', desc: descendingIsBetter });
  const scroller = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 400 });
  useLayoutEffect(() => {
    const el = scroller.current!;
    setView({ top: el.scrollTop, height: el.clientHeight });
  }, []);

  const cols: Col[] = [
    { key: 'trial', header: 'Trial', cell: (e) => `${e.stage}·${e.trialIndex}` },
    { key: 'status', header: 'Status', cell: (e) => e.status },
    ...params.map((p) => ({ key: `param:${p}`, header: p, numeric: true, cell: (e: LeaderboardEntry) => paramText(e.params[p]) })),
    { key: 'objective', header: objectiveLabel, numeric: true, cell: (e) => num(e.objective, 4) },
    { key: 'validationAccuracy', header: 'Val acc', numeric: true, cell: (e) => pct(e.metrics.validation?.accuracy) },
    { key: 'testAccuracy', header: 'Test acc', numeric: true, cell: (e) => pct(e.metrics.test?.accuracy) },
  ];
  const sorted = sortEntries(entries, sort.key, sort.desc);
  const win = rowWindow({ scrollTop: view.top, viewportHeight: view.height, rowHeight: ROW_H, total: sorted.length, overscan: 10 });
  const clickSort = (key: string) => setSort((s) => (s.key === key ? { key, desc: !s.desc } : { key, desc: key === 'objective' ? descendingIsBetter : true }));

  return (
    <div>
      <p class="muted small-note board-count" aria-live="polite">
        {!loaded ? 'Loading trials…' : entries.length === total ? `${total} trials` : `${entries.length} of ${total} trials inside the brushed ranges`}
      </p>
      <div class="table-scroll board-scroll" ref={scroller} onScroll={(e) => setView({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight })}>
        <table class="data board" aria-label="Leaderboard" aria-rowcount={sorted.length + 1}>
          <thead>
            <tr aria-rowindex={1}>
              <th scope="col">#</th>
              {cols.map((c) => (
                <th key={c.key} scope="col" class={c.numeric ? 'num' : undefined} aria-sort={sort.key === c.key ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
                  <button type="button" class="sort" onClick={() => clickSort(c.key)}>
                    {c.header}
                    <span aria-hidden="true">{sort.key === c.key ? (sort.desc ? '▼' : '▲') : ''}</span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {win.padTop > 0 && <tr class="spacer" aria-hidden="true" style={{ height: `${win.padTop}px` }} />}
            {sorted.slice(win.start, win.end).map((e, k) => (
              <tr key={e.runId} aria-rowindex={win.start + k + 2} class={hovered === e.runId ? 'hot' : undefined} onMouseEnter={() => onHover(e.runId)} onMouseLeave={() => onHover(null)}>
                <td class="num muted">{win.start + k + 1}</td>
                {cols.map((c) => (
                  <td key={c.key} class={c.numeric ? 'num' : undefined}>
                    {c.key === 'trial' ? (
                      <a href={href.run(e.runId)} onFocus={() => onHover(e.runId)} aria-label={`trial ${e.trialIndex} of stage ${e.stage}`}>
                        {c.cell(e)}
                      </a>
                    ) : c.key === 'status' ? (
                      <StatusBadge status={e.status} />
                    ) : (
                      c.cell(e)
                    )}
                    {c.key === 'status' && e.reusedFrom ? <span class="muted small-note"> reused</span> : null}
                  </td>
                ))}
              </tr>
            ))}
            {win.padBottom > 0 && <tr class="spacer" aria-hidden="true" style={{ height: `${win.padBottom}px` }} />}
          </tbody>
        </table>
      </div>
    </div>
  );
}
