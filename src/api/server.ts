// `npm run api`: listens on HOST:PORT and closes cleanly on SIGTERM / SIGINT.
import { loadConfig } from '../runtime/config.js';
import { buildApp } from './app.js';

const config = loadConfig();
const app = await buildApp({ config });
let closing = false;
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    if (closing) return;
    closing = true;
    app.log.info({ signal: sig }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
try {
  const address = await app.listen({ host: config.host, port: config.port });
  app.log.info({ address }, 'trainyard API listening');
} catch (err) {
  app.log.error({ err }, 'could not start the API');
  process.exit(1);
}
