// The sign-in form: an API key, checked against GET /v1/project before it is kept.
import { useState } from 'preact/hooks';
import { Api, ApiError } from '../api/client';
import type { Project } from '../api/types';
import './signIn.css';

export function SignIn({ onSignedIn, notice }: { onSignedIn: (key: string, project: Project) => void; notice: string | null }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const k = key.trim();
      onSignedIn(k, await new Api(k).project());
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'That key was not accepted. Check it, or create one with npm run keys -- create --project NAME.' : `Could not sign in: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="sign-in">
      <form class="card sign-in-card" onSubmit={submit} aria-labelledby="sign-in-title">
        <div class="brand-big" aria-hidden="true">
          <span class="brand-mark" />
          Trainyard
        </div>
        <h1 id="sign-in-title">Sign in</h1>
        <p class="muted">Use an API key of your project. It stays in this browser tab only and is forgotten when the tab closes.</p>
        {notice && (
          <p class="note" role="status">
            {notice}
          </p>
        )}
        <label class="field">
          API key
          <input type="password" name="key" autoComplete="off" spellcheck={false} required value={key} onInput={(e) => setKey(e.currentTarget.value)} placeholder="ty_…" />
        </label>
        {error && (
          <p class="error-note" role="alert">
            {error}
          </p>
        )}
        <button class="primary" type="submit" disabled={busy || !key.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
