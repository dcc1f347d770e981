// The virtualised runs table: only the rows in view are in the DOM (10,000 runs scroll like 50),
// pages load as the view nears them, arrow keys move between rows, Enter opens, Space selects.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Run } from '../../api/types';
import { href } from '../../app/route';
import { navigate } from '../../app/useRoute';
import { ProgressBar } from '../../components/ProgressBar';
import { StatusBadge } from '../../components/StatusBadge';
import { duration } from '../../lib/format';
import type { RunColumn } from '../../lib/runColumns';
import { isFling, rowWindow, scrollToReveal } from '../../lib/virtualWindow';
import { CancelButton } from './CancelButton';
import './runsTable.css';

const ROW_H = 36;
// After the last scroll event of a fling, the rows are drawn this much later.
const FLING_SETTLE_MS = 100;

// Fixed widths keep columns still while rows scroll in and out; the name column takes the rest.
const WIDTHS: Record<string, number> = {
  status: 140,
  tags: 116,
  lambda: 80,
  eta: 104,
  hidden: 76,
  batchNorm: 64,
  schedule: 180,
  dataset: 90,
  validationAccuracy: 80,
  testAccuracy: 80,
  trainAccuracy: 80,
  validationLoss: 80,
  search: 130,
  createdAt: 148,
  id: 290,
};
const NAME_MIN = 180;
const ACTIONS = 88;

export interface RunsTableProps {
  columns: RunColumn[];
  rows: Run[];
  total: number;
  loading: boolean;
  sort: string;
  selected: Set<string>;
  onSort: (field: string) => void;
  onToggle: (id: string) => void;
  onToggleAll: (ids: string[], on: boolean) => void;
  onNeed: (end: number) => void;
  onVisible: (runs: Run[]) => void;
  onChanged: (run: Run) => void;
}

// The rows not in the DOM: their height, drawn as empty row outlines (what a fling shows).
function Spacer({ height, cols }: { height: number; cols: number }) {
  return (
    <tr class="spacer" aria-hidden="true">
      <td colSpan={cols} style={{ height: `${height}px` }} />
    </tr>
  );
}

function StatusCell({ run }: { run: Run }) {
  if (run.status !== 'running') return <StatusBadge status={run.status} cancelRequested={run.cancelRequested} />;
  const eta = run.progress.secondsLeft !== null ? ` · ${duration(run.progress.secondsLeft)}` : '';
  return (
    <span title={run.progress.secondsLeft !== null ? `${duration(run.progress.secondsLeft)} left` : undefined}>
      <ProgressBar fraction={run.progress.fraction} label={`progress of ${run.name ?? run.id}`} text={`${Math.round(run.progress.fraction * 100)}%${eta}`} />
    </span>
  );
}

function Cell({ column, run, tab }: { column: RunColumn; run: Run; tab: number }) {
  if (column.id === 'status') return <StatusCell run={run} />;
  if (column.id === 'name')
    return (
      <a href={href.run(run.id)} tabIndex={tab} title={run.name ?? run.id}>
        {column.text(run)}
      </a>
    );
  if (column.id === 'tags')
    return (
      <>
        {run.tags.map((t) => (
          <span key={t} class="tag">
            {t}
          </span>
        ))}
      </>
    );
  return <>{column.text(run)}</>;
}

interface RunRowsProps {
  start: number;
  end: number;
  rows: Run[];
  columns: RunColumn[];
  selected: Set<string>;
  active: number;
  /** Read when a row is used, so that new handler functions do not re-render the rows. */
  handlers: { current: Pick<RunsTableProps, 'onToggle' | 'onChanged'> & { setActive: (i: number) => void } };
}

function RunRows({ start, end, rows, columns, selected, active, handlers }: RunRowsProps) {
  return (
    <>
      {Array.from({ length: end - start }, (_, k) => {
        const i = start + k;
        const run = rows[i];
        if (!run)
          return (
            <tr key={`p${i}`} class="placeholder" aria-rowindex={i + 2} data-row={i} tabIndex={i === active ? 0 : -1} onFocus={() => handlers.current.setActive(i)}>
              <td colSpan={columns.length + 2}>Loading…</td>
            </tr>
          );
        const isSel = selected.has(run.id);
        // Only the active row's controls are in the tab order (one tab stop per table row).
        const tab = i === active ? 0 : -1;
        return (
          <tr
            key={run.id}
            data-row={i}
            aria-rowindex={i + 2}
            aria-selected={isSel}
            tabIndex={tab}
            onFocus={() => handlers.current.setActive(i)}
            onDblClick={() => navigate(href.run(run.id))}
            aria-label={run.name ?? run.id}
          >
            <td>
              <input type="checkbox" tabIndex={tab} aria-label={`Select ${run.name ?? run.id}`} checked={isSel} onChange={() => handlers.current.onToggle(run.id)} />
            </td>
            {columns.map((c) => (
              <td key={c.id} class={c.numeric ? 'num' : undefined}>
                <Cell column={c} run={run} tab={tab} />
              </td>
            ))}
            <td class="actions-cell">{(run.status === 'running' || run.status === 'queued') && !run.cancelRequested && <CancelButton run={run} onCancelled={(r) => handlers.current.onChanged(r)} small tabIndex={tab} />}</td>
          </tr>
        );
      })}
    </>
  );
}

export function RunsTable({ columns, rows, total, loading, sort, selected, onSort, onToggle, onToggleAll, onNeed, onVisible, onChanged }: RunsTableProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 600 });
  const [active, setActive] = useState(0);
  const focusPending = useRef(false);

  const windowAt = (top: number, height: number) => rowWindow({ scrollTop: top, viewportHeight: height, rowHeight: ROW_H, total, overscan: 10, chunk: 10 });
  const win = windowAt(view.top, view.height);
  const lastTop = useRef(0);
  const settle = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const keyboardMove = useRef(false);
  useEffect(() => () => clearTimeout(settle.current), []);
  // A scroll re-renders only when the window of rows changes (every 10 rows scrolled). A fling
  // (over half a view between two scroll events, i.e. in one frame) leaves the rows as they are:
  // the view crosses row outlines (the scroller's background) and the rows are drawn once it slows
  // or stops, so no frame of the fling waits for new rows. Pages still load on the way.
  const onScroll = (e: { currentTarget: HTMLDivElement }) => {
    const el = e.currentTarget;
    const jump = el.scrollTop - lastTop.current;
    lastTop.current = el.scrollTop;
    const next = windowAt(el.scrollTop, el.clientHeight);
    const changed = next.start !== win.start || next.end !== win.end;
    clearTimeout(settle.current);
    if (isFling(jump, el.clientHeight, keyboardMove.current)) {
      onNeed(next.end + 40);
      settle.current = setTimeout(() => setView({ top: el.scrollTop, height: el.clientHeight }), FLING_SETTLE_MS);
      return;
    }
    keyboardMove.current = false;
    if (changed) setView({ top: el.scrollTop, height: el.clientHeight });
  };

  useLayoutEffect(() => {
    const el = scroller.current!;
    const measure = () => setView({ top: el.scrollTop, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => onNeed(win.end + 40), [win.end, total]);
  const visible = rows.slice(win.start, Math.min(win.end, rows.length));
  useEffect(() => onVisible(visible), [win.start, win.end, rows]);
  const handlers = useRef({ onToggle, onChanged, setActive });
  handlers.current = { onToggle, onChanged, setActive };
  // The rows re-render only when what they show changes: a page arriving beyond the window (each
  // one of a fling's 50), the loading flag or new handler functions leave them as they are.
  const body = useMemo(
    () => <RunRows start={win.start} end={win.end} rows={rows} columns={columns} selected={selected} active={active} handlers={handlers} />,
    [win.start, win.end, columns, selected, active, ...visible],
  );

  useEffect(() => {
    if (active >= total && total > 0) setActive(total - 1);
  }, [total]);

  // After a keyboard move the new active row takes focus; a row still loading holds it until
  // its run arrives (then the real row, a new element, takes it over).
  useLayoutEffect(() => {
    if (!focusPending.current) return;
    const tr = scroller.current?.querySelector<HTMLElement>(`tr[data-row="${active}"]`);
    if (!tr) return;
    tr.focus({ preventScroll: true });
    if (!tr.classList.contains('placeholder')) focusPending.current = false;
  });

  const moveTo = (i: number) => {
    const el = scroller.current!;
    const row = Math.max(0, Math.min(total - 1, i));
    const headerH = el.querySelector('thead')?.getBoundingClientRect().height ?? ROW_H;
    const top = scrollToReveal(row, el.scrollTop, el.clientHeight - headerH, ROW_H);
    // Home, End and Page keys jump far, but they need the row they land on at once: not a fling.
    if (top !== null && top !== el.scrollTop) {
      keyboardMove.current = true;
      el.scrollTop = top;
    }
    focusPending.current = true;
    setActive(row);
    setView({ top: el.scrollTop, height: el.clientHeight });
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement;
    if (target.tagName !== 'TR') return;
    const page = Math.max(1, Math.floor(view.height / ROW_H) - 2);
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveTo(active + 1),
      ArrowUp: () => moveTo(active - 1),
      PageDown: () => moveTo(active + page),
      PageUp: () => moveTo(active - page),
      Home: () => moveTo(0),
      End: () => moveTo(total - 1),
      Enter: () => rows[active] && navigate(href.run(rows[active].id)),
      ' ': () => rows[active] && onToggle(rows[active].id),
    };
    const act = keys[e.key];
    if (!act) return;
    e.preventDefault();
    act();
  };

  const loadedIds = rows.map((r) => r.id);
  const allOn = loadedIds.length > 0 && loadedIds.every((id) => selected.has(id));
  const width = 44 + columns.reduce((w, c) => w + (c.id === 'name' ? NAME_MIN : (WIDTHS[c.id] ?? 120)), 0) + ACTIONS;

  return (
    <div class="table-scroll runs-scroll" ref={scroller} onScroll={onScroll}>
      <table class="data runs" style={{ minWidth: `${width}px` }} aria-label="Runs" aria-rowcount={total + 1} onKeyDown={onKeyDown}>
        <colgroup>
          <col style={{ width: '44px' }} />
          {columns.map((c) => (
            <col key={c.id} style={c.id === 'name' ? undefined : { width: `${WIDTHS[c.id] ?? 120}px` }} />
          ))}
          <col style={{ width: `${ACTIONS}px` }} />
        </colgroup>
        <thead>
          <tr aria-rowindex={1}>
            <th scope="col">
              <input type="checkbox" aria-label="Select all loaded runs" checked={allOn} onChange={(e) => onToggleAll(loadedIds, e.currentTarget.checked)} />
            </th>
            {columns.map((c) => {
              const dir = sort === c.sort ? 'ascending' : sort === `-${c.sort}` ? 'descending' : undefined;
              return (
                <th key={c.id} scope="col" class={c.numeric ? 'num' : undefined} aria-sort={c.sort ? (dir ?? 'none') : undefined} title={c.title}>
                  {c.sort ? (
                    <button type="button" class="sort" onClick={() => onSort(c.sort!)} aria-label={`${c.title ?? c.header}, sort`}>
                      {c.header}
                      <span aria-hidden="true">{dir === 'ascending' ? '▲' : dir === 'descending' ? '▼' : ''}</span>
                    </button>
                  ) : (
                    <span aria-label={c.title}>{c.header}</span>
                  )}
                </th>
              );
            })}
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {win.padTop > 0 && <Spacer height={win.padTop} cols={columns.length + 2} />}
          {body}
          {win.padBottom > 0 && <Spacer height={win.padBottom} cols={columns.length + 2} />}
        </tbody>
      </table>
      {total === 0 && (
        <p class="empty muted" role="status">
          {loading ? 'Loading runs…' : 'No runs match this view.'}
        </p>
      )}
    </div>
  );
}
