// The stored spec (every default filled in), with copy and "start a run from this spec".
import { useState } from 'preact/hooks';
import type { Run } from '../../api/types';
import { href } from '../../app/route';

export function SpecView({ run }: { run: Run }) {
  const text = JSON.stringify(run.spec, null, 2);
  const [copied, setCopied] = useState(false);
  return (
    <section class="card" aria-labelledby="spec-title">
      <header>
        <h2 id="spec-title">Spec</h2>
        <span class="spacer" style={{ flex: 1 }} />
        <button
          type="button"
          class="small"
          onClick={() =>
            navigator.clipboard.writeText(text).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy JSON'}
        </button>
        <a class="button small" href={href.submit({ from: run.id })}>
          New run from this spec
        </a>
      </header>
      <div class="body">
        <pre class="spec-json" tabIndex={0} aria-label="Spec JSON">
          {text}
        </pre>
      </div>
    </section>
  );
}
