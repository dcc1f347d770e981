// The reference specs of examples/ (and examples/searches/), bundled at build time so the editor
// can start from any of them without the server.
const runFiles = import.meta.glob<Record<string, unknown>>(['../../../../examples/*.json', '!../../../../examples/reported.json'], { eager: true, import: 'default' });
const searchFiles = import.meta.glob<Record<string, unknown>>('../../../../examples/searches/*.json', { eager: true, import: 'default' });

export interface Example {
  /** The file name, e.g. two-layer-cyclic.json (searches: searches/synthetic-quick.json). */
  file: string;
  kind: 'run' | 'search';
  body: Record<string, unknown>;
}

const list = (files: Record<string, Record<string, unknown>>, kind: Example['kind'], prefix: string): Example[] =>
  Object.entries(files)
    .map(([path, body]) => ({ file: prefix + path.split('/').pop()!, kind, body }))
    .sort((a, b) => a.file.localeCompare(b.file));

export const EXAMPLES: Example[] = [...list(runFiles, 'run', ''), ...list(searchFiles, 'search', 'searches/')];

export const DEFAULT_EXAMPLE = 'two-layer-cyclic.json';
