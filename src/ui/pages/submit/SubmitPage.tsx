// Submitting a run or a search: a JSON editor prefilled from the bundled examples (or from an
// existing run's spec), the API's validation problems shown at their fields, then POST.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api/client';
import type { Problem } from '../../api/types';
import { useApi } from '../../app/apiContext';
import { href } from '../../app/route';
import { navigate } from '../../app/useRoute';
import { errorText } from '../../components/ErrorNote';
import { syntaxError } from '../../lib/jsonLocate';
import { placeProblems } from '../../lib/submitProblems';
import { DEFAULT_EXAMPLE, EXAMPLES } from './examples';
import { JsonEditor, type EditorProblem } from './JsonEditor';
import './submitPage.css';

const pretty = (v: unknown) => JSON.stringify(v, null, 2);

/** A search body has a base spec and a space; anything else is sent as a run's spec. */
function kindOf(text: string): 'run' | 'search' {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' && 'base' in v && 'space' in v ? 'search' : 'run';
  } catch {
    return 'run';
  }
}

export function SubmitPage({ query }: { query: URLSearchParams }) {
  const api = useApi();
  const fromRun = query.get('from');
  const [source, setSource] = useState(fromRun ? `run:${fromRun}` : (query.get('example') ?? DEFAULT_EXAMPLE));
  const [text, setText] = useState(() => pretty(EXAMPLES.find((e) => e.file === source)?.body ?? EXAMPLES[0].body));
  const [name, setName] = useState('');
  const [tags, setTags] = useState('');
  const [problems, setProblems] = useState<Problem[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const area = useRef<HTMLTextAreaElement | null>(null);
  // One Idempotency-Key per distinct body: a retried submit of the same text cannot create twice.
  const keys = useRef(new Map<string, string>());

  useEffect(() => {
    if (!fromRun) return;
    api.getRun(fromRun).then(
      (r) => {
        setText(pretty(r.spec));
        setTags(r.tags.join(' '));
      },
      (e) => setError(`Could not load run ${fromRun}: ${errorText(e)}`),
    );
  }, [fromRun]);

  const pick = (file: string) => {
    const ex = EXAMPLES.find((e) => e.file === file);
    if (!ex) return;
    setSource(file);
    setText(pretty(ex.body));
    setProblems([]);
    setError(null);
  };

  const kind = kindOf(text);
  const syntax = syntaxError(text);
  const placed = placeProblems(kind, problems, text);
  const editorProblems: EditorProblem[] = syntax ? [{ from: syntax.offset, to: syntax.offset + syntax.length, line: syntax.line, exact: true, message: `JSON: ${syntax.message}` }] : placed.editor;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (syntax) return area.current?.focus();
    const tagList = tags.split(/[\s,]+/).filter(Boolean);
    const body = kind === 'run' ? { spec: JSON.parse(text), ...(name.trim() ? { name: name.trim() } : {}), ...(tagList.length ? { tags: tagList } : {}) } : JSON.parse(text);
    const bodyText = JSON.stringify(body);
    const key = keys.current.get(bodyText) ?? crypto.randomUUID();
    keys.current.set(bodyText, key);
    setBusy(true);
    setError(null);
    try {
      if (kind === 'run') navigate(href.run((await api.createRun(body, key)).id));
      else navigate(href.search((await api.createSearch(body, key)).id));
    } catch (err) {
      if (err instanceof ApiError && err.problems.length) {
        setProblems(err.problems);
        setError(`The API rejected the ${kind}: ${err.problems.length} ${err.problems.length === 1 ? 'problem' : 'problems'}, marked below.`);
      } else setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const jump = (p: EditorProblem) => {
    const a = area.current;
    if (!a) return;
    a.focus();
    a.setSelectionRange(p.from, p.to);
    a.scrollTop = Math.max(0, (p.line - 4) * 20);
  };

  const listed = [...editorProblems.map((p) => ({ ...p, where: `line ${p.line}` })), ...placed.other.map((p) => ({ ...p, where: p.path }))];
  return (
    <div class="page submit-page">
      <div class="page-head">
        <h1>Submit</h1>
        <span class="sub">
          {kind === 'run' ? 'An experiment spec: POST /v1/runs' : 'A search (base spec, space, strategy): POST /v1/searches'}
        </span>
      </div>
      <form class="card" onSubmit={submit} aria-label={`Submit a ${kind}`}>
        <div class="body submit-form">
          <div class="toolbar">
            <label class="field">
              Start from
              <select value={source} onChange={(e) => pick(e.currentTarget.value)}>
                {fromRun && <option value={`run:${fromRun}`}>the spec of run {fromRun.slice(0, 8)}</option>}
                <optgroup label="Runs (examples/)">
                  {EXAMPLES.filter((x) => x.kind === 'run').map((x) => (
                    <option key={x.file} value={x.file}>
                      {x.file.replace(/\.json$/, '')}
                    </option>
                  ))}
                </optgroup>
                <optgroup label="Searches (examples/searches/)">
                  {EXAMPLES.filter((x) => x.kind === 'search').map((x) => (
                    <option key={x.file} value={x.file}>
                      {x.file.replace(/^searches\//, '').replace(/\.json$/, '')}
                    </option>
                  ))}
                </optgroup>
              </select>
            </label>
            {kind === 'run' && (
              <>
                <label class="field">
                  Name (optional)
                  <input type="text" value={name} maxLength={200} placeholder="defaults to the spec's name" onInput={(e) => setName(e.currentTarget.value)} aria-invalid={placed.fields.name ? true : undefined} aria-describedby={placed.fields.name ? 'name-problem' : undefined} />
                  {placed.fields.name && (
                    <span id="name-problem" class="field-problem">
                      {placed.fields.name}
                    </span>
                  )}
                </label>
                <label class="field">
                  Tags (space-separated)
                  <input type="text" value={tags} onInput={(e) => setTags(e.currentTarget.value)} aria-invalid={placed.fields.tags ? true : undefined} aria-describedby={placed.fields.tags ? 'tags-problem' : undefined} />
                  {placed.fields.tags && (
                    <span id="tags-problem" class="field-problem">
                      {placed.fields.tags}
                    </span>
                  )}
                </label>
              </>
            )}
          </div>
          <JsonEditor id="spec-editor" label="Spec (JSON)" value={text} onInput={setText} problems={editorProblems} describedBy={listed.length ? 'problem-list' : undefined} textareaRef={(el) => (area.current = el)} />
          {error && (
            <p class="error-note" role="alert">
              {error}
            </p>
          )}
          {listed.length > 0 && (
            <ul id="problem-list" class="problem-list" aria-label="Problems">
              {listed.map((p, i) => (
                <li key={i}>
                  {'from' in p ? (
                    <button type="button" class="link" onClick={() => jump(p as EditorProblem)}>
                      {p.where}
                    </button>
                  ) : (
                    <span class="mono">{p.where}</span>
                  )}{' '}
                  {'path' in p && p.path ? <code>{p.path}</code> : null} {p.message}
                </li>
              ))}
            </ul>
          )}
          <div class="toolbar">
            <button type="submit" class="primary" disabled={busy}>
              {busy ? 'Submitting…' : kind === 'run' ? 'Submit run' : 'Start search'}
            </button>
            <span class="muted small-note">Validated by the API, every problem at once.</span>
          </div>
        </div>
      </form>
    </div>
  );
}
