// The files a finished run left (result JSON, plots, weights), and for a one-layer network the
// learnt W rows as images (one template per class). Artifact URLs need the API key, so files are
// fetched as blobs and opened or saved from memory.
import { useEffect, useState } from 'preact/hooks';
import type { Artifact, Run } from '../../api/types';
import { useApi } from '../../app/apiContext';
import { saveBlob } from '../../components/download';
import { ErrorNote, errorText } from '../../components/ErrorNote';
import { useAsync } from '../../components/useAsync';
import { bytes, dateTime } from '../../lib/format';

const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
/** The W-row image's name as src/report/runArtifacts.ts writes it. */
export const WEIGHTS_IMAGE = 'weights.png';

function WeightRows({ artifact, run }: { artifact: Artifact; run: Run }) {
  const api = useApi();
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let made: string | null = null;
    api.artifactBlob(artifact.url).then((b) => setUrl((made = URL.createObjectURL(b))), setError);
    return () => made && URL.revokeObjectURL(made);
  }, [artifact.url]);
  const cifar = run.spec.data.dataset === 'cifar10';
  // The PNG's own width; a phone shows it at exactly half (even tiles) and scrolls sideways.
  const [natural, setNatural] = useState<number | null>(null);
  return (
    <figure class="weight-rows">
      {error ? (
        <ErrorNote error={error} what="Could not load the W-row image" />
      ) : url ? (
        <div class="weight-scroll" tabIndex={0} role="group" aria-label="W rows (scrolls sideways on narrow screens)">
          <div class="weight-strip" style={natural ? { '--half-width': `${natural / 2}px` } : undefined}>
            <img src={url} onLoad={(e) => setNatural(e.currentTarget.naturalWidth)} alt={`The ${cifar ? 'ten ' : ''}rows of the learnt weight matrix W drawn as images, one per class${cifar ? `: ${CIFAR10_CLASSES.join(', ')}` : ''}`} />
            {cifar && (
              <ol class="class-names" aria-hidden="true">
                {CIFAR10_CLASSES.map((c) => (
                  <li key={c}>{c}</li>
                ))}
              </ol>
            )}
          </div>
        </div>
      ) : (
        <p class="muted">Loading the W-row image…</p>
      )}
      <figcaption class="muted small-note">Rows of W drawn as images, one per class, each scaled to its own range.</figcaption>
    </figure>
  );
}

export function Artifacts({ run, reloadKey }: { run: Run; reloadKey: number }) {
  const api = useApi();
  const list = useAsync(() => api.artifacts(run.id), [run.id, reloadKey]);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const fetchThen = async (a: Artifact, then: (b: Blob) => void) => {
    setBusy(a.name);
    setError(null);
    try {
      then(await api.artifactBlob(a.url));
    } catch (e) {
      setError(`${a.name}: ${errorText(e)}`);
    } finally {
      setBusy(null);
    }
  };
  const open = (b: Blob) => window.open(URL.createObjectURL(b), '_blank', 'noopener');

  const artifacts = list.value ?? [];
  const weights = run.spec.model.hidden.length === 0 ? artifacts.find((a) => a.name === WEIGHTS_IMAGE) : undefined;
  return (
    <section class="card" aria-labelledby="artifacts-title">
      <header>
        <h2 id="artifacts-title">Artifacts</h2>
      </header>
      <div class="body">
        {weights && <WeightRows artifact={weights} run={run} />}
        {list.error ? <ErrorNote error={list.error} what="Could not list the artifacts" /> : null}
        {error && (
          <p class="error-note" role="alert">
            {error}
          </p>
        )}
        {artifacts.length === 0 && !list.loading && !list.error && <p class="muted">{run.status === 'succeeded' ? 'This run left no artifacts.' : 'Artifacts are written when the run succeeds.'}</p>}
        {artifacts.length > 0 && (
          <table class="data compact">
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Type</th>
                <th scope="col" class="num">
                  Size
                </th>
                <th scope="col">Written</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {artifacts.map((a) => (
                <tr key={a.name}>
                  <td class="mono">{a.name}</td>
                  <td class="muted">{a.contentType}</td>
                  <td class="num">{bytes(a.size)}</td>
                  <td>{dateTime(a.createdAt)}</td>
                  <td class="actions">
                    <button type="button" class="small" disabled={busy === a.name} onClick={() => fetchThen(a, open)} aria-label={`Open ${a.name}`}>
                      Open
                    </button>
                    <button type="button" class="small" disabled={busy === a.name} onClick={() => fetchThen(a, (b) => saveBlob(b, a.name))} aria-label={`Download ${a.name}`}>
                      Download
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
