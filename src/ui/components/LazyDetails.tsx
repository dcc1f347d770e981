// A <details> whose contents are built only once it is first opened: a long list folded away
// (every trial at a rung, every pruned trial's reason) costs nothing until someone asks for it.
// Once opened, the contents stay (closing and reopening keeps their state).
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

export function LazyDetails({ summary, children }: { summary: ComponentChildren; children: () => ComponentChildren }) {
  const [opened, setOpened] = useState(false);
  return (
    <details onToggle={(e) => (e.currentTarget as HTMLDetailsElement).open && setOpened(true)}>
      <summary>{summary}</summary>
      {opened ? children() : null}
    </details>
  );
}
