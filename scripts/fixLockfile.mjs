// The npm registry mirror of these machines lacks some platform builds of optional dependencies
// (msgpackr-extract for darwin, win32, linux-arm), so `npm install` here leaves them out of
// package-lock.json and `npm ci` then refuses the lock ("Missing ... from lock file"). This puts
// back the entries a full registry would have written; npm skips them on other platforms.
// Run after any `npm install` that changes the lock: node scripts/fixLockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs';

export const PLATFORM_OPTIONALS = {
  'node_modules/@msgpackr-extract/msgpackr-extract-darwin-arm64': { os: 'darwin', cpu: 'arm64' },
  'node_modules/@msgpackr-extract/msgpackr-extract-darwin-x64': { os: 'darwin', cpu: 'x64' },
  'node_modules/@msgpackr-extract/msgpackr-extract-linux-arm': { os: 'linux', cpu: 'arm' },
  'node_modules/@msgpackr-extract/msgpackr-extract-win32-x64': { os: 'win32', cpu: 'x64' },
};

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const version = lock.packages['node_modules/msgpackr-extract']?.version;
if (version) {
  for (const [key, { os, cpu }] of Object.entries(PLATFORM_OPTIONALS)) {
    lock.packages[key] ??= { version, cpu: [cpu], license: 'MIT', optional: true, os: [os] };
  }
  lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
  writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
}
