// The runs table's columns: what each shows, which server sort it maps to, and its CSV value.
// One list, so the table, the column picker and the export always agree.
import type { Run } from '../api/types';
import { dateTime, num, pct } from './format';
import { etaText, hiddenText, scheduleText } from './runFields';

export interface RunColumn {
  id: string;
  header: string;
  /** Accessible name when the header is a symbol. */
  title?: string;
  /** The API's sort field (GET /v1/runs?sort=), if the server can sort by it. */
  sort?: string;
  numeric?: boolean;
  text: (r: Run) => string;
  csv: (r: Run) => string | number | null;
  defaultShown: boolean;
}

const acc = (r: Run, split: 'train' | 'validation' | 'test') => r.metrics?.[split]?.accuracy ?? null;

export const RUN_COLUMNS: RunColumn[] = [
  { id: 'status', header: 'Status', text: (r) => r.status, csv: (r) => r.status, defaultShown: true },
  { id: 'name', header: 'Name', sort: 'name', text: (r) => r.name ?? r.id.slice(0, 8), csv: (r) => r.name, defaultShown: true },
  { id: 'tags', header: 'Tags', text: (r) => r.tags.join(' '), csv: (r) => r.tags.join(' '), defaultShown: true },
  { id: 'lambda', header: 'λ', title: 'lambda (L2 penalty)', sort: 'lambda', numeric: true, text: (r) => num(r.spec.training.lambda, 3), csv: (r) => r.spec.training.lambda, defaultShown: true },
  { id: 'eta', header: 'η', title: 'eta (learning rate, or the cyclical range etaMin..etaMax)', numeric: true, text: (r) => etaText(r.spec.training.schedule), csv: (r) => etaText(r.spec.training.schedule), defaultShown: true },
  { id: 'hidden', header: 'Hidden', title: 'hidden layer sizes', text: (r) => hiddenText(r.spec), csv: (r) => hiddenText(r.spec), defaultShown: true },
  { id: 'batchNorm', header: 'BN', title: 'batch norm', text: (r) => r.spec.model.batchNorm, csv: (r) => r.spec.model.batchNorm, defaultShown: true },
  { id: 'schedule', header: 'Schedule', text: (r) => scheduleText(r.spec.training.schedule), csv: (r) => scheduleText(r.spec.training.schedule), defaultShown: false },
  { id: 'dataset', header: 'Data', text: (r) => r.spec.data.dataset, csv: (r) => r.spec.data.dataset, defaultShown: false },
  { id: 'validationAccuracy', header: 'Val acc', title: 'validation accuracy', sort: 'validationAccuracy', numeric: true, text: (r) => pct(acc(r, 'validation')), csv: (r) => acc(r, 'validation'), defaultShown: true },
  { id: 'testAccuracy', header: 'Test acc', title: 'test accuracy', sort: 'testAccuracy', numeric: true, text: (r) => pct(acc(r, 'test')), csv: (r) => acc(r, 'test'), defaultShown: true },
  { id: 'trainAccuracy', header: 'Train acc', title: 'training accuracy', sort: 'trainAccuracy', numeric: true, text: (r) => pct(acc(r, 'train')), csv: (r) => acc(r, 'train'), defaultShown: false },
  { id: 'validationLoss', header: 'Val loss', title: 'validation loss', sort: 'validationLoss', numeric: true, text: (r) => num(r.metrics?.validation.loss ?? null), csv: (r) => r.metrics?.validation.loss ?? null, defaultShown: false },
  { id: 'search', header: 'Search trial', text: (r) => (r.trial ? `stage ${r.trial.stage} · #${r.trial.trialIndex}` : ''), csv: (r) => (r.trial ? `${r.trial.searchId}/${r.trial.stage}/${r.trial.trialIndex}` : null), defaultShown: false },
  { id: 'createdAt', header: 'Created', sort: 'createdAt', text: (r) => dateTime(r.createdAt), csv: (r) => r.createdAt, defaultShown: true },
  { id: 'id', header: 'ID', text: (r) => r.id, csv: (r) => r.id, defaultShown: false },
];

export const DEFAULT_COLUMNS = RUN_COLUMNS.filter((c) => c.defaultShown).map((c) => c.id);
