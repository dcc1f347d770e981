// The run's name as the page heading, renamed in place (PATCH name).
import { useState } from 'preact/hooks';
import type { Run } from '../../api/types';
import { useApi } from '../../app/apiContext';
import { errorText } from '../../components/ErrorNote';

export function RunTitle({ run, onSaved }: { run: Run; onSaved: (r: Run) => void }) {
  const api = useApi();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(run.name ?? '');
  const [error, setError] = useState<string | null>(null);

  if (!editing)
    return (
      <>
        <h1>{run.name ?? `Run ${run.id.slice(0, 8)}`}</h1>
        <button type="button" class="small" onClick={() => (setName(run.name ?? ''), setEditing(true))} aria-label="Rename run">
          Rename
        </button>
      </>
    );
  return (
    <form
      class="toolbar"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          onSaved(await api.patchRun(run.id, { name: name.trim() }));
          setEditing(false);
          setError(null);
        } catch (err) {
          setError(errorText(err));
        }
      }}
    >
      <h1 class="sr-only">{run.name ?? run.id}</h1>
      <label class="inline">
        <span class="sr-only">Run name</span>
        <input type="text" value={name} maxLength={200} required autoFocus onInput={(e) => setName(e.currentTarget.value)} aria-invalid={error ? true : undefined} />
      </label>
      <button type="submit" class="small primary" disabled={!name.trim()}>
        Save
      </button>
      <button type="button" class="small" onClick={() => setEditing(false)}>
        Cancel
      </button>
      {error && (
        <span class="field-problem" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
