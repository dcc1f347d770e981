// The runs view's filters (all applied by the API): name, status, and more on demand. `/` focuses
// the name filter from anywhere on the page.
import { useEffect, useRef, useState } from 'preact/hooks';
import { activeFilterCount, FILTER_KEYS, withParam } from '../../lib/runQuery';
import './runsFilters.css';

const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'pruned'];

interface Props {
  view: URLSearchParams;
  setView: (v: URLSearchParams) => void;
}

/** A number input bound to a view parameter; accuracies are typed in percent, stored as fractions. */
function NumberFilter({ view, setView, name, label, percent }: Props & { name: string; label: string; percent?: boolean }) {
  const raw = view.get(name);
  const shown = raw === null ? '' : percent ? String(Number((Number(raw) * 100).toPrecision(6))) : raw;
  return (
    <label class="field">
      {label}
      <input
        type="number"
        step="any"
        value={shown}
        onChange={(e) => {
          const v = e.currentTarget.value;
          setView(withParam(view, name, v === '' ? null : percent ? String(Number(v) / 100) : v));
        }}
      />
    </label>
  );
}

function SelectFilter({ view, setView, name, label, options }: Props & { name: string; label: string; options: string[] }) {
  return (
    <label class="field">
      {label}
      <select value={view.get(name) ?? ''} onChange={(e) => setView(withParam(view, name, e.currentTarget.value || null))}>
        <option value="">any</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

export function RunsFilters({ view, setView }: Props) {
  const nameRef = useRef<HTMLInputElement>(null);
  const [name, setName] = useState(view.get('name') ?? '');
  const statuses = new Set((view.get('status') ?? '').split(',').filter(Boolean));

  useEffect(() => setName(view.get('name') ?? ''), [view.get('name')]);
  useEffect(() => {
    if (name === (view.get('name') ?? '')) return;
    const t = setTimeout(() => setView(withParam(view, 'name', name)), 300);
    return () => clearTimeout(t);
  }, [name]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || t.closest('input, textarea, select, [contenteditable]')) return;
      e.preventDefault();
      nameRef.current?.focus();
      nameRef.current?.select();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);

  const toggleStatus = (s: string) => {
    const next = new Set(statuses);
    if (next.has(s)) next.delete(s);
    else next.add(s);
    setView(withParam(view, 'status', [...next].join(',')));
  };

  const more = activeFilterCount(view) - (view.get('name') ? 1 : 0) - (view.get('status') ? 1 : 0);
  const p = { view, setView };
  return (
    <div class="filters" role="search" aria-label="Filter runs">
      <label class="filter-name">
        <span class="sr-only">Filter by name</span>
        <input ref={nameRef} id="run-filter" type="search" placeholder="Filter by name   ( / )" value={name} onInput={(e) => setName(e.currentTarget.value)} aria-keyshortcuts="/" />
      </label>
      <fieldset class="status-filter">
        <legend class="sr-only">Status</legend>
        {STATUSES.map((s) => (
          <label key={s} class={`chip ${statuses.has(s) ? 'on' : ''}`}>
            <input type="checkbox" checked={statuses.has(s)} onChange={() => toggleStatus(s)} />
            <span class={`badge ${s}`}>{s}</span>
          </label>
        ))}
      </fieldset>
      <details class="menu more-filters">
        <summary class="button" role="button">
          More filters{more > 0 ? ` (${more})` : ''}
        </summary>
        <div class="menu-panel filter-grid">
          <SelectFilter {...p} name="dataset" label="Dataset" options={['cifar10', 'synthetic']} />
          <SelectFilter {...p} name="schedule" label="Schedule" options={['constant', 'stepDecay', 'cyclical']} />
          <SelectFilter {...p} name="batchNorm" label="Batch norm" options={['none', 'before', 'after']} />
          <NumberFilter {...p} name="hiddenLayers" label="Hidden layers" />
          <NumberFilter {...p} name="lambdaMin" label="λ at least" />
          <NumberFilter {...p} name="lambdaMax" label="λ at most" />
          <NumberFilter {...p} name="validationAccuracyMin" label="Val acc ≥ (%)" percent />
          <NumberFilter {...p} name="validationAccuracyMax" label="Val acc ≤ (%)" percent />
          <NumberFilter {...p} name="testAccuracyMin" label="Test acc ≥ (%)" percent />
          <NumberFilter {...p} name="testAccuracyMax" label="Test acc ≤ (%)" percent />
          <label class="field">
            Tags (all of, comma-separated)
            <input type="text" value={view.get('tag') ?? ''} onChange={(e) => setView(withParam(view, 'tag', e.currentTarget.value.replace(/\s+/g, '')))} />
          </label>
        </div>
      </details>
      {activeFilterCount(view) > 0 && (
        <button
          type="button"
          class="link"
          onClick={() => {
            let v = view;
            for (const k of FILTER_KEYS) v = withParam(v, k, null);
            setView(v);
          }}
        >
          Clear filters
        </button>
      )}
    </div>
  );
}
