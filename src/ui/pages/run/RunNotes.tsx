// The run's name, tags and notes, edited in place and saved with PATCH /v1/runs/{id}; the API's
// problems are shown at the field they name.
import { useState } from 'preact/hooks';
import { ApiError, type RunPatch } from '../../api/client';
import type { Run } from '../../api/types';
import { useApi } from '../../app/apiContext';
import { errorText } from '../../components/ErrorNote';
import './runNotes.css';

const TAG = /^[A-Za-z0-9_.:\-]{1,64}$/;
const MAX_TAGS = 20;
const MAX_NOTES = 10_000;

export function RunNotes({ run, onSaved }: { run: Run; onSaved: (r: Run) => void }) {
  const api = useApi();
  const [notes, setNotes] = useState(run.notes ?? '');
  const [tag, setTag] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const save = async (what: string, patch: RunPatch) => {
    setSaving(what);
    setSaved(null);
    try {
      const r = await api.patchRun(run.id, patch);
      onSaved(r);
      setProblems({});
      setSaved(`${what} saved`);
      return true;
    } catch (e) {
      const byField: Record<string, string> = {};
      if (e instanceof ApiError && e.problems.length) for (const p of e.problems) byField[p.path.split('.')[0]] = p.message;
      else byField[what] = errorText(e);
      setProblems(byField);
      return false;
    } finally {
      setSaving(null);
    }
  };

  const addTag = async (e: Event) => {
    e.preventDefault();
    const t = tag.trim();
    if (!t) return;
    if (!TAG.test(t)) return setProblems({ tags: 'use 1-64 letters, digits and _ . : - only' });
    if (run.tags.includes(t)) return setTag('');
    if (run.tags.length >= MAX_TAGS) return setProblems({ tags: `at most ${MAX_TAGS} tags` });
    if (await save('tags', { tags: [...run.tags, t] })) setTag('');
  };

  return (
    <section class="card" aria-labelledby="notes-title">
      <header>
        <h2 id="notes-title">Tags and notes</h2>
        <span class="muted small-note" role="status">
          {saving ? `saving ${saving}…` : saved}
        </span>
      </header>
      <div class="body run-notes">
        <div>
          <ul class="tag-list" aria-label="Tags">
            {run.tags.map((t) => (
              <li key={t} class="tag">
                {t}
                <button type="button" class="tag-remove" aria-label={`Remove tag ${t}`} onClick={() => save('tags', { tags: run.tags.filter((x) => x !== t) })}>
                  ×
                </button>
              </li>
            ))}
            {run.tags.length === 0 && <li class="muted">no tags</li>}
          </ul>
          <form class="toolbar" onSubmit={addTag}>
            <label class="inline">
              <span class="sr-only">New tag</span>
              <input type="text" value={tag} placeholder="add a tag" onInput={(e) => setTag(e.currentTarget.value)} aria-invalid={problems.tags ? true : undefined} aria-describedby={problems.tags ? 'tag-problem' : undefined} />
            </label>
            <button type="submit" class="small" disabled={!tag.trim() || saving !== null}>
              Add tag
            </button>
          </form>
          {problems.tags && (
            <p id="tag-problem" class="field-problem" role="alert">
              {problems.tags}
            </p>
          )}
        </div>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            save('notes', { notes: notes.trim() ? notes : null });
          }}
        >
          <label class="field notes-field">
            Notes
            <textarea rows={4} maxLength={MAX_NOTES} value={notes} onInput={(e) => setNotes(e.currentTarget.value)} aria-invalid={problems.notes ? true : undefined} aria-describedby={problems.notes ? 'notes-problem' : undefined} placeholder="What this run was for, what you saw" />
          </label>
          {problems.notes && (
            <p id="notes-problem" class="field-problem" role="alert">
              {problems.notes}
            </p>
          )}
          <div class="toolbar">
            <button type="submit" class="small" disabled={saving !== null || notes === (run.notes ?? '')}>
              Save notes
            </button>
            <span class="muted small-note">
              {notes.length.toLocaleString()} / {MAX_NOTES.toLocaleString()}
            </span>
          </div>
        </form>
      </div>
    </section>
  );
}
