// Cancelling a queued or running run, in two presses (the first asks to confirm).
import { useEffect, useState } from 'preact/hooks';
import type { Run } from '../../api/types';
import { useApi } from '../../app/apiContext';
import { errorText } from '../../components/ErrorNote';

export function CancelButton({ run, onCancelled, small, tabIndex }: { run: Run; onCancelled: (r: Run) => void; small?: boolean; tabIndex?: number }) {
  const api = useApi();
  const [armed, setArmed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!armed) return;
    const t = setTimeout(() => setArmed(false), 4000);
    return () => clearTimeout(t);
  }, [armed]);

  const press = async () => {
    if (!armed) return setArmed(true);
    setBusy(true);
    try {
      onCancelled(await api.cancelRun(run.id));
      setError(null);
    } catch (e) {
      setError(errorText(e));
      // Most often it finished first (a 409): show the state the server has, not the one clicked on.
      api.getRun(run.id).then(onCancelled, () => {});
    } finally {
      setBusy(false);
      setArmed(false);
    }
  };

  const name = run.name ?? run.id;
  return (
    <>
      <button type="button" class={`danger${small ? ' small' : ''}`} disabled={busy} onClick={press} tabIndex={tabIndex} aria-label={armed ? `Confirm: cancel ${name}` : `Cancel ${name}`} title={error ?? undefined}>
        {busy ? 'Cancelling…' : armed ? 'Confirm' : 'Cancel'}
      </button>
      {error && (
        <span class="sr-only" role="alert">
          {error}
        </span>
      )}
    </>
  );
}
