// A benchmark's command line: parseArgs, except that --help prints the usage (the leading comment
// of the benchmark's own file, which says what it measures and takes) and a wrong option prints
// the problem and the usage and exits 2, instead of a stack trace.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The `//` comment lines a file starts with, without the slashes. */
export function leadingComment(source: string): string {
  const lines: string[] = [];
  for (const line of source.split('\n')) {
    if (!line.startsWith('//')) break;
    lines.push(line.replace(/^\/\/ ?/, ''));
  }
  return lines.join('\n');
}

/** `benchArgs(import.meta.url, { ... })`: the parsed option values of this process's arguments. */
export function benchArgs<O extends Options>(moduleUrl: string, options: O): ReturnType<typeof parseArgs<{ options: O }>>['values'] {
  // The TypeScript source (dist/bench/x.js -> bench/x.ts): tsc can drop a file's leading comment.
  const file = fileURLToPath(moduleUrl);
  const source = file.replace(/[\\/]dist[\\/](.*)\.js$/, '/$1.ts');
  const usage = () => leadingComment(readFileSync(existsSync(source) ? source : file, 'utf8'));
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage());
    process.exit(0);
  }
  try {
    return parseArgs({ args: argv, options }).values;
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${usage()}`);
    process.exit(2);
  }
}
