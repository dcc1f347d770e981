// Which columns the runs table shows; the choice is remembered in this browser.
import { useState } from 'preact/hooks';
import { DEFAULT_COLUMNS, RUN_COLUMNS } from '../../lib/runColumns';

const STORE = 'trainyard.runColumns';

export function useShownColumns(): [string[], (ids: string[]) => void] {
  const [ids, setIds] = useState<string[]>(() => {
    try {
      const saved = JSON.parse(localStorage.getItem(STORE) ?? 'null');
      if (Array.isArray(saved)) return saved.filter((id) => RUN_COLUMNS.some((c) => c.id === id));
    } catch {
      // A broken saved choice falls back to the defaults.
    }
    return DEFAULT_COLUMNS;
  });
  const set = (next: string[]) => {
    setIds(next);
    localStorage.setItem(STORE, JSON.stringify(next));
  };
  return [ids, set];
}

export function ColumnPicker({ shown, setShown }: { shown: string[]; setShown: (ids: string[]) => void }) {
  const toggle = (id: string) => setShown(shown.includes(id) ? shown.filter((x) => x !== id) : RUN_COLUMNS.map((c) => c.id).filter((x) => x === id || shown.includes(x)));
  return (
    <details class="menu right">
      <summary class="button" role="button">
        Columns
      </summary>
      <fieldset class="menu-panel" style={{ border: 0 }}>
        <legend class="sr-only">Shown columns</legend>
        {RUN_COLUMNS.map((c) => (
          <label key={c.id} class="inline">
            <input type="checkbox" checked={shown.includes(c.id)} onChange={() => toggle(c.id)} />
            {c.title ? `${c.header} (${c.title})` : c.header}
          </label>
        ))}
        <button type="button" class="small" onClick={() => setShown(DEFAULT_COLUMNS)}>
          Reset to defaults
        </button>
      </fieldset>
    </details>
  );
}
