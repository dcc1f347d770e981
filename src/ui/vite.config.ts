// The dashboard's build: a static bundle in dist/ui that the API serves at `/`. JSX goes through
// Vite 8's own Oxc transform (no Babel preset needed); /v1 is proxied to a local API in dev.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: '../../dist/ui', emptyOutDir: true, target: 'es2022', sourcemap: false },
  // The editor bundles ../../examples, outside the root: the dev server may read it.
  server: { proxy: { '/v1': process.env.API_URL ?? 'http://127.0.0.1:3111' }, fs: { allow: ['../..'] } },
  test: { root: import.meta.dirname + '/../..', include: ['test/ui/**/*.test.ts'], environment: 'node' },
});
