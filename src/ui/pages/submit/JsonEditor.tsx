// A small JSON editor: a plain textarea (native editing, undo, selection) over a coloured copy of
// its text. Each problem is marked on its field, flagged in the gutter and written at the end of
// its line, so validation errors sit where they are, not only in a list below.
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { Located } from '../../lib/jsonLocate';
import { tokenizeLine } from '../../lib/jsonTokens';
import './jsonEditor.css';

export interface EditorProblem extends Located {
  message: string;
}

interface Props {
  id: string;
  label: string;
  value: string;
  onInput: (v: string) => void;
  problems: EditorProblem[];
  describedBy?: string;
  textareaRef?: (el: HTMLTextAreaElement | null) => void;
}

function Line({ text, start, marks, notes }: { text: string; start: number; marks: [number, number][]; notes: string[] }) {
  const parts = [];
  for (const t of tokenizeLine(text)) {
    // Split a token where a mark starts or ends, so the mark covers exactly the field.
    const cuts = new Set([t.from, t.to]);
    for (const [a, b] of marks) for (const c of [a - start, b - start]) if (c > t.from && c < t.to) cuts.add(c);
    const edges = [...cuts].sort((x, y) => x - y);
    for (let i = 0; i + 1 < edges.length; i++) {
      const [a, b] = [edges[i], edges[i + 1]];
      const marked = marks.some(([f, e]) => start + a < e && start + b > f);
      const span = (
        <span key={`${a}`} class={`tk-${t.kind}`}>
          {text.slice(a, b)}
        </span>
      );
      parts.push(marked ? <mark key={`m${a}`}>{span}</mark> : span);
    }
  }
  return (
    <>
      {parts}
      {notes.length > 0 && <span class="lens">{`   ← ${notes.join(' · ')}`}</span>}
      {'\n'}
    </>
  );
}

export function JsonEditor({ id, label, value, onInput, problems, describedBy, textareaRef }: Props) {
  const area = useRef<HTMLTextAreaElement>(null);
  const code = useRef<HTMLPreElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const lines = value.split('\n');

  const sync = () => {
    const a = area.current;
    if (!a) return;
    if (code.current) {
      code.current.scrollTop = a.scrollTop;
      code.current.scrollLeft = a.scrollLeft;
    }
    if (gutter.current) gutter.current.scrollTop = a.scrollTop;
  };
  useLayoutEffect(sync);

  let offset = 0;
  const rendered = lines.map((text, i) => {
    const start = offset;
    offset += text.length + 1;
    const here = problems.filter((p) => p.from < start + text.length + 1 && p.to > start);
    const notes = problems.filter((p) => p.line === i + 1).map((p) => p.message);
    return <Line key={i} text={text} start={start} marks={here.map((p) => [p.from, p.to])} notes={notes} />;
  });
  const flagged = new Set(problems.map((p) => p.line));

  return (
    <div class={`json-editor${problems.length ? ' has-problems' : ''}`}>
      <div class="gutter" ref={gutter} aria-hidden="true">
        {lines.map((_, i) => (
          <div key={i} class={flagged.has(i + 1) ? 'flag' : undefined}>
            {i + 1}
          </div>
        ))}
      </div>
      <div class="code-wrap">
        <pre class="code" ref={code} aria-hidden="true">
          {rendered}
        </pre>
        <textarea
          id={id}
          ref={(el) => {
            area.current = el;
            textareaRef?.(el);
          }}
          aria-label={label}
          aria-invalid={problems.length > 0 ? true : undefined}
          aria-describedby={describedBy}
          spellcheck={false}
          autoCapitalize="off"
          autoComplete="off"
          wrap="off"
          value={value}
          onInput={(e) => onInput(e.currentTarget.value)}
          onScroll={sync}
        />
      </div>
    </div>
  );
}
