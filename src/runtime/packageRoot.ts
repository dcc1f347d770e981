// Where Trainyard's own files are (openapi.yaml, prisma/migrations, the native addon, the UI
// build), found from this module whether it runs from src/ or from dist/src/.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The directory holding Trainyard's package.json. */
export function packageRoot(): string {
  if (root) return root;
  const here = fileURLToPath(import.meta.url);
  for (let dir = path.dirname(here); ; ) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'trainyard') return (root = dir);
      } catch {
        // unreadable package.json: keep climbing
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the trainyard package root above ${here}`);
    dir = parent;
  }
}

/** A file or folder of the package, by its path from the package root. */
export const packagePath = (...parts: string[]): string => path.join(packageRoot(), ...parts);
