// The dashboard: the static build of src/ui (dist/ui) served at `/`, when it was built. It reads
// only the public API, so its policy allows scripts, styles and requests from this origin only.
import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { packagePath } from '../runtime/packageRoot.js';

const CSP = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export const dashboardRoot = (): string => packagePath('dist', 'ui');

export async function serveDashboard(app: FastifyInstance, root = dashboardRoot()): Promise<boolean> {
  if (!existsSync(root)) return false;
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    index: 'index.html',
    wildcard: false,
    // Hashed assets never change; index.html always must be fetched again.
    setHeaders: (res, path) => {
      res.setHeader('content-security-policy', CSP);
      res.setHeader('cache-control', /[/\\]assets[/\\]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  return true;
}
