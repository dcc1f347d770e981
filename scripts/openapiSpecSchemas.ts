// `npm run openapi:spec`: writes the experiment spec's JSON Schemas (request form with
// optional defaulted fields, response form with every default filled) from the zod schema
// into openapi.yaml, so the contract never drifts from src/spec (a test compares them).
import { readFileSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { openapiPath } from '../src/api/app.js';
import { specJsonSchemas } from '../src/api/specSchemas.js';

const path = openapiPath();
const doc = parseDocument(readFileSync(path, 'utf8'));
const { input, output } = specJsonSchemas();
doc.setIn(['components', 'schemas', 'ExperimentSpecInput'], doc.createNode(input));
doc.setIn(['components', 'schemas', 'ExperimentSpec'], doc.createNode(output));
writeFileSync(path, doc.toString({ lineWidth: 0 }));
console.log(`updated ExperimentSpecInput and ExperimentSpec in ${path}`);
