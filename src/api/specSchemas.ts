// JSON Schemas of the experiment spec and the search request for openapi.yaml, derived from
// the zod schemas.
import { z } from 'zod';
import { searchSpecSchema } from '../search/searchSpec.js';
import { experimentSpecSchema } from '../experiment/experimentSpec.js';

type Io = 'input' | 'output';

function jsonSchema(schema: z.ZodType, io: Io): Record<string, unknown> {
  const s = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
  delete s.$schema;
  return s;
}

type SchemaPair = { input: Record<string, unknown>; output: Record<string, unknown> };

/** The schema as submitted (defaults optional) and as stored (defaults filled), each described. */
function schemaPair(schema: z.ZodType, inputDescription: string, outputDescription: string, adjust: (s: Record<string, unknown>, io: Io) => void = () => {}): SchemaPair {
  const make = (io: Io) => {
    const s = jsonSchema(schema, io);
    adjust(s, io);
    s.description = io === 'input' ? inputDescription : outputDescription;
    return s;
  };
  return { input: make('input'), output: make('output') };
}

export function specJsonSchemas(): SchemaPair {
  return schemaPair(
    experimentSpecSchema,
    'An experiment spec as submitted: omitted fields take the defaults of the reports (see src/experiment/experimentSpec.ts).',
    'The experiment spec as stored, with every default filled in.',
  );
}

/** The search request; its base spec refers to the experiment spec schemas above. */
export function searchSpecJsonSchemas(): SchemaPair {
  return schemaPair(
    searchSpecSchema,
    'A search: a base experiment spec, a space of parameters (short names such as lambda, etaMax, hidden, or dotted spec paths), a strategy, an objective, a budget and optional pruning (see src/search/searchSpec.ts).',
    'The search as stored, with every default filled in.',
    (s, io) => {
      const o = s as { properties: Record<string, unknown>; required?: string[] };
      o.properties.base = { $ref: `#/components/schemas/${io === 'input' ? 'ExperimentSpecInput' : 'ExperimentSpec'}` };
      o.required = [...new Set([...(o.required ?? []), 'base'])];
    },
  );
}
