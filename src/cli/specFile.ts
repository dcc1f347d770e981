// Reads and validates a spec file, turning every problem into one readable error.
import { readFileSync } from 'node:fs';
import { parseSpec, type ExperimentSpec } from '../experiment/experimentSpec.js';

export class UsageError extends Error {}

export function readSpecFile(path: string): ExperimentSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read spec ${path}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`spec ${path} is not valid JSON: ${(e as Error).message}`);
  }
  const r = parseSpec(json);
  if (!r.ok) throw new UsageError(`spec ${path} is invalid:\n` + r.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n'));
  return r.spec;
}
