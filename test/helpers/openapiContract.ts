// Validates API responses against openapi.yaml (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses)
// and records which (operation, status) pairs a test file exercised.
import { readFileSync } from 'node:fs';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { openapiPath } from '../../src/api/app.js';

const Ajv2020 = (Ajv2020Module as unknown as { default: typeof Ajv2020Module }).default ?? Ajv2020Module;
const addFormats = (addFormatsModule as unknown as { default: typeof addFormatsModule }).default ?? addFormatsModule;

type Doc = { paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>; components: Record<string, Record<string, unknown>> };

export const openapiDoc: Doc = parse(readFileSync(openapiPath(), 'utf8'));
const ajv = new (Ajv2020 as unknown as new (o: object) => import('ajv').default)({ strict: false, allErrors: true, validateSchema: false });
(addFormats as unknown as (a: unknown) => void)(ajv);
ajv.addSchema(openapiDoc as unknown as object, 'openapi');

// One compiled validator per response schema (compiling per call grows memory and costs time).
const validators = new Map<string, ReturnType<typeof ajv.compile>>();

const pointer = (...parts: string[]) => '#/' + parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/** The documented template matching a concrete path, e.g. /v1/runs/{id}. */
export function templateOf(path: string): string | null {
  const clean = path.split('?')[0];
  for (const t of Object.keys(openapiDoc.paths)) {
    const re = new RegExp('^' + t.replace(/\{[^}]+\}/g, '[^/]+') + '$');
    if (re.test(clean)) return t;
  }
  return null;
}

export class Contract {
  readonly covered = new Set<string>();

  /** Throws unless the status is documented for the route and the body matches its schema. */
  check(method: string, path: string, status: number, contentType: string | undefined, body: unknown): void {
    const t = templateOf(path);
    if (!t) throw new Error(`${method} ${path}: route not in openapi.yaml`);
    const op = openapiDoc.paths[t][method.toLowerCase()];
    if (!op) throw new Error(`${method} ${t}: method not in openapi.yaml`);
    let resp = op.responses[String(status)] as { $ref?: string; content?: Record<string, { schema?: unknown }> } | undefined;
    if (!resp) throw new Error(`${method} ${t}: status ${status} not documented (body ${JSON.stringify(body).slice(0, 300)})`);
    let respPtr = pointer('paths', t, method.toLowerCase(), 'responses', String(status));
    if (resp.$ref) {
      respPtr = resp.$ref;
      const name = resp.$ref.split('/').pop()!;
      resp = openapiDoc.components.responses[name] as typeof resp;
    }
    this.covered.add(`${op.operationId} ${status}`);
    const media = (contentType ?? '').split(';')[0].trim();
    if (!resp!.content) return;
    if (!resp!.content[media]) throw new Error(`${method} ${t} ${status}: content type ${media} not documented`);
    if (media !== 'application/json') return;
    const ref = `openapi${respPtr}/content/application~1json/schema`;
    let validate = validators.get(ref);
    if (!validate) validators.set(ref, (validate = ajv.compile({ $ref: ref })));
    if (!validate(body)) throw new Error(`${method} ${t} ${status}: body does not match openapi.yaml: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`);
  }

  /** Every documented (operationId, status) pair, minus those a test cannot produce on purpose. */
  static documented(): string[] {
    const out: string[] = [];
    for (const methods of Object.values(openapiDoc.paths)) for (const op of Object.values(methods)) for (const s of Object.keys(op.responses)) out.push(`${op.operationId} ${s}`);
    return out;
  }
}
