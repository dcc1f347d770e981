// JSON Schemas of the experiment spec for openapi.yaml, derived from the zod schema.
import { z } from 'zod';
import { experimentSpecSchema } from '../spec/experimentSpec.js';

export function specJsonSchemas(): { input: Record<string, unknown>; output: Record<string, unknown> } {
  const make = (io: 'input' | 'output') => {
    const s = z.toJSONSchema(experimentSpecSchema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
    delete s.$schema;
    s.description =
      io === 'input'
        ? 'An experiment spec as submitted: omitted fields take the defaults of the reports (see src/spec/experimentSpec.ts).'
        : 'The experiment spec as stored, with every default filled in.';
    return s;
  };
  return { input: make('input'), output: make('output') };
}
