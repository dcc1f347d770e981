// A dataset that cannot be read, with the file and the kind of problem kept apart so callers
// (CLI, API, worker) can report or map it without parsing the message.

/** not-configured: no folder given; unusable: readable files that cannot give the splits asked for. */
export type DatasetProblem = 'missing' | 'empty' | 'truncated' | 'malformed' | 'not-configured' | 'unusable';

export class DatasetError extends Error {
  readonly file: string;
  readonly problem: DatasetProblem;

  constructor(file: string, problem: DatasetProblem, message: string) {
    super(message);
    this.name = 'DatasetError';
    this.file = file;
    this.problem = problem;
  }
}
