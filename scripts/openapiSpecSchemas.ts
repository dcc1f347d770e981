// `npm run openapi:spec`: writes the experiment spec's and the search request's JSON Schemas
// (request form with optional defaulted fields, response form with every default filled) from
// the zod schemas into openapi.yaml, so the contract never drifts from src/spec and src/search
// (a test compares them).
import { readFileSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { openapiPath } from '../src/api/app.js';
import { searchSpecJsonSchemas, specJsonSchemas } from '../src/api/specSchemas.js';

const path = openapiPath();
const doc = parseDocument(readFileSync(path, 'utf8'));
const spec = specJsonSchemas();
const search = searchSpecJsonSchemas();
doc.setIn(['components', 'schemas', 'ExperimentSpecInput'], doc.createNode(spec.input));
doc.setIn(['components', 'schemas', 'ExperimentSpec'], doc.createNode(spec.output));
doc.setIn(['components', 'schemas', 'SearchSpecInput'], doc.createNode(search.input));
doc.setIn(['components', 'schemas', 'SearchSpec'], doc.createNode(search.output));
writeFileSync(path, doc.toString({ lineWidth: 0 }));
console.log(`updated ExperimentSpecInput, ExperimentSpec, SearchSpecInput and SearchSpec in ${path}`);
