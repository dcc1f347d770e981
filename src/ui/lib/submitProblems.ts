// Where each of the API's validation problems goes on the submit page: into the editor at its
// field (a run's spec.* paths, or any path of a search body), at the name or tags input, or, when
// it names nothing on screen, into the list under the editor.
import type { Problem } from '../api/types';
import { locate, type Located } from './jsonLocate';

export interface PlacedProblems {
  editor: (Located & Problem)[];
  fields: Partial<Record<'name' | 'tags', string>>;
  other: Problem[];
}

export function placeProblems(kind: 'run' | 'search', problems: Problem[], text: string): PlacedProblems {
  const out: PlacedProblems = { editor: [], fields: {}, other: [] };
  for (const p of problems) {
    const head = p.path.split('.')[0];
    if (kind === 'run' && (head === 'name' || head === 'tags')) {
      out.fields[head] = out.fields[head] ? `${out.fields[head]}; ${p.message}` : p.message;
      continue;
    }
    const inEditor = kind === 'search' || head === 'spec';
    const path = kind === 'run' ? p.path.replace(/^spec\.?/, '') : p.path;
    const at = inEditor ? locate(text, path) : null;
    if (at) out.editor.push({ ...at, ...p, message: at.exact ? p.message : `${p.path.split('.').pop()}: ${p.message}` });
    else out.other.push(p);
  }
  return out;
}
