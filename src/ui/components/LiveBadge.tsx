// Says whether updates are being pushed (the event stream's state), in words.
import type { StreamState } from '../api/eventStream';

const TEXT: Record<StreamState, string> = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
  ended: 'finished',
  unavailable: 'no live updates from this server',
  failed: 'live updates failed',
};

export function LiveBadge({ state }: { state: StreamState | null }) {
  if (!state) return null;
  const cls = state === 'live' ? 'live live-on' : state === 'connecting' || state === 'reconnecting' ? 'live live-wait' : 'live';
  return (
    <span class={cls} role="status">
      {TEXT[state]}
    </span>
  );
}
