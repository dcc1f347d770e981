// "Refine from selection": shows the child coarse-to-fine search built from the brushed ranges
// and starts it with POST /v1/searches (parentSearchId links it to this search).
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Dimension, Search } from '../../api/types';
import { useApi } from '../../app/apiContext';
import { href } from '../../app/route';
import { navigate } from '../../app/useRoute';
import { errorText } from '../../components/ErrorNote';
import { num } from '../../lib/format';
import type { Refinement } from '../../lib/refineSearch';

function dimText(d: Dimension): string {
  if ('logUniform' in d) return `log-uniform ${num(Math.pow(10, d.logUniform[0]), 3)} … ${num(Math.pow(10, d.logUniform[1]), 3)} (log10 ${num(d.logUniform[0], 4)} … ${num(d.logUniform[1], 4)})`;
  if ('uniform' in d) return `uniform ${num(d.uniform[0], 4)} … ${num(d.uniform[1], 4)}`;
  if ('intRange' in d) return `integers ${d.intRange.min} … ${d.intRange.max} step ${d.intRange.step}`;
  return `values ${d.values.map((v) => JSON.stringify(v)).join(', ')}`;
}

export function RefineDialog({ parent, refinement, onClose }: { parent: Search; refinement: Refinement; onClose: () => void }) {
  const api = useApi();
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const key = useRef(crypto.randomUUID());
  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  const start = async () => {
    if (!refinement.ok) return;
    setBusy(true);
    try {
      const child = await api.createSearch(refinement.body, key.current);
      onClose();
      navigate(href.search(child.id));
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };

  const space = refinement.ok ? (refinement.body.space as Record<string, Dimension>) : {};
  return (
    <dialog ref={dialog} class="refine-dialog" aria-labelledby="refine-title" onClose={onClose}>
      <h2 id="refine-title">Refine from selection</h2>
      {refinement.ok ? (
        <>
          <p>
            A child coarse-to-fine search of <strong>{parent.name ?? 'this search'}</strong> with the same base spec and objective, over:
          </p>
          <ul>
            {Object.entries(space).map(([k, d]) => (
              <li key={k}>
                <code>{k}</code>: {dimText(d)}
                {JSON.stringify(d) === JSON.stringify(parent.spec.space[k]) ? <span class="muted"> (not brushed: as in the parent)</span> : null}
              </li>
            ))}
          </ul>
          <details>
            <summary>Request body</summary>
            <pre class="mono">{JSON.stringify(refinement.body, null, 2)}</pre>
          </details>
        </>
      ) : (
        <ul class="error-text">
          {refinement.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {error && (
        <p class="error-note" role="alert">
          {error}
        </p>
      )}
      <div class="toolbar" style={{ justifyContent: 'flex-end', marginTop: '12px' }}>
        <button type="button" onClick={() => dialog.current?.close()}>
          Close
        </button>
        {refinement.ok && (
          <button type="button" class="primary" onClick={start} disabled={busy}>
            {busy ? 'Starting…' : 'Start child search'}
          </button>
        )}
      </div>
    </dialog>
  );
}
