// A run or search status: a coloured mark and the word (colour is never the only signal).
import type { RunStatus, SearchStatus } from '../api/types';

export function StatusBadge({ status, cancelRequested }: { status: RunStatus | SearchStatus; cancelRequested?: boolean }) {
  return (
    <span class={`badge ${status}`}>
      {status}
      {cancelRequested && (status === 'running' || status === 'queued') ? ' · cancelling' : ''}
    </span>
  );
}
