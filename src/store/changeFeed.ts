// Changes to runs and searches as Postgres announces them (LISTEN/NOTIFY, raised by triggers on
// commit: see the dashboard migration), fanned out to subscribers by id. One connection per API
// process, whatever the number of subscribers; it reconnects by itself, and a subscriber should
// also poll now and then, for what happened while the feed was down.
import { EventEmitter } from 'node:events';
import pg from 'pg';

export type FeedKind = 'run' | 'search';

export interface ChangeFeed {
  /** Calls `onChange` whenever the run or search changes; returns the unsubscribe. */
  subscribe(kind: FeedKind, id: string, onChange: () => void): () => void;
  /** Calls `onChange(id)` for every run or search that changes (the caller filters); returns the unsubscribe. */
  subscribeAll(kind: FeedKind, onChange: (id: string) => void): () => void;
  /** Whether changes are being received now (LISTEN in place); false before the first subscriber and while reconnecting. */
  listening(): boolean;
  /** Calls `onLost` whenever the feed stops listening (changes may be missed until it is back). */
  onLost(onLost: () => void): () => void;
  close(): Promise<void>;
}

const CHANNELS: Record<string, FeedKind> = { trainyard_run: 'run', trainyard_search: 'search' };

export function createChangeFeed(databaseUrl: string): ChangeFeed {
  const events = new EventEmitter();
  // Hundreds of dashboard streams may watch one run.
  events.setMaxListeners(0);
  let client: pg.Client | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let subscribers = 0;
  let listening = false;

  const connect = async () => {
    if (closed || client) return;
    const c = new pg.Client({ connectionString: databaseUrl });
    client = c;
    const lost = () => {
      if (client !== c) return;
      client = null;
      if (listening) {
        listening = false;
        events.emit('lost');
      }
      c.end().catch(() => {});
      if (!closed && subscribers > 0) retry = setTimeout(() => void connect(), 1000);
    };
    c.on('error', lost);
    c.on('end', lost);
    c.on('notification', (n) => {
      const kind = CHANNELS[n.channel];
      if (kind && n.payload) {
        events.emit(`${kind}:${n.payload}`);
        events.emit(`${kind}:*`, n.payload);
      }
    });
    try {
      await c.connect();
      await c.query('LISTEN trainyard_run; LISTEN trainyard_search');
      listening = client === c;
    } catch {
      lost();
    }
  };

  return {
    subscribe(kind, id, onChange) {
      subscribers++;
      void connect();
      const name = `${kind}:${id}`;
      events.on(name, onChange);
      return () => {
        events.off(name, onChange);
        subscribers--;
      };
    },
    subscribeAll(kind, onChange) {
      subscribers++;
      void connect();
      events.on(`${kind}:*`, onChange);
      return () => {
        events.off(`${kind}:*`, onChange);
        subscribers--;
      };
    },
    listening: () => listening,
    onLost(onLost) {
      events.on('lost', onLost);
      return () => events.off('lost', onLost);
    },
    async close() {
      closed = true;
      if (listening) {
        listening = false;
        events.emit('lost');
      }
      clearTimeout(retry);
      const c = client;
      client = null;
      await c?.end().catch(() => {});
    },
  };
}
