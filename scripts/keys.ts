// `npm run keys -- create --project NAME [--name LABEL]`: creates an API key for the project
// (creating the project if needed) and prints it once; only its hash is stored.
// `npm run keys -- revoke PREFIX_OR_ID`: revokes a key.
import { loadConfig } from '../src/runtime/config.js';
import { createStore } from '../src/store/store.js';

const USAGE = 'usage: npm run keys -- create --project NAME [--name LABEL] | revoke KEY_PREFIX_OR_ID';

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

const [cmd, ...rest] = process.argv.slice(2);
const store = createStore(loadConfig().databaseUrl, { ormConnections: 1, sqlConnections: 1 });
try {
  if (cmd === 'create') {
    const project = flag(rest, '--project');
    if (!project) throw new Error(`--project NAME is required\n${USAGE}`);
    const k = await store.keys.create(project, flag(rest, '--name'));
    console.error(`created key ${k.prefix}… for project "${project}"; it is shown once, store it now:`);
    console.log(k.key);
  } else if (cmd === 'revoke' && rest[0]) {
    const n = await store.keys.revoke(rest[0]);
    console.error(n ? `revoked ${n} key(s)` : 'no such active key');
    if (!n) process.exitCode = 1;
  } else {
    throw new Error(USAGE);
  }
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
} finally {
  await store.close();
}
