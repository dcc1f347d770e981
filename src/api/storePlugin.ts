// The store as a decorator on the Fastify instance (the fastify/demo way): routes use
// `app.store.<repository>` and never construct or import database clients.
import fp from 'fastify-plugin';
import type { Store } from '../store/store.js';

declare module 'fastify' {
  interface FastifyInstance {
    store: Store;
  }
}

/** Decorates the app with the store; closes it with the app when the app owns it. */
export const storePlugin = fp<{ store: Store; owned: boolean }>(async (app, o) => {
  app.decorate('store', o.store);
  if (o.owned) app.addHook('onClose', async () => o.store.close());
});
