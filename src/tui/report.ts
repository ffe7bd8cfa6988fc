/**
 * `e` in the comparison view: the view as a report, with the renderers of `fwtp plan`
 * (src/report/plan.ts) so that an export and `fwtp plan --format ...` read the same.
 */
import type { CandidateResult, PlanResult, Planner } from '../model/types.js';
import { planCsv, planMarkdown } from '../report/plan.js';
import { mdCell } from '../report/escape.js';
import { formatDuration } from '../util/duration.js';

export type ExportFormat = 'md' | 'json' | 'csv';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['md', 'json', 'csv'];

/** What the view knows about its inputs, for the report header. */
export interface ViewMeta {
  inputs: Array<{ path: string; format: string }>;
  flows: number;
  protocol: 'tcp' | 'udp';
  warnings: string[];
}

export interface ViewState {
  selectedSeconds: number;
  currentSeconds: number;
  recommendedSeconds: number | null;
  sort: string;
  platformLabel: string;
  keepAliveLabel: string;
}

/** Format from the prompt's answer: '' is Markdown; md, markdown, json, csv (any case); else null. */
export function parseExportFormat(text: string): ExportFormat | null {
  const t = text.trim().toLowerCase();
  if (t === '' || t === 'md' || t === 'markdown') return 'md';
  if (t === 'json' || t === 'csv') return t;
  return null;
}

export function defaultExportPath(format: ExportFormat): string {
  return `fwtp-compare.${format}`;
}

/** The PlanResult of the view: the planner's settings and the candidates in the view's order. */
export function viewPlanResult(planner: Planner, candidates: CandidateResult[], meta: ViewMeta): PlanResult {
  return {
    schemaVersion: 1,
    window: planner.window,
    inputs: meta.inputs,
    flows: meta.flows,
    platform: planner.platform,
    keepalive: planner.keepalive,
    protocol: meta.protocol,
    candidates,
    warnings: [...meta.warnings],
  };
}

/**
 * The report text. JSON is the PlanResult (schemaVersion 1) and CSV the plan CSV, unchanged;
 * Markdown adds a short section saying what the view showed (selection, marks, sort).
 */
export function renderViewReport(format: ExportFormat, r: PlanResult, view: ViewState): string {
  if (format === 'json') return JSON.stringify(r, null, 2) + '\n';
  if (format === 'csv') return planCsv(r);
  const lines = [
    '## Compare view',
    '',
    `- platform: ${mdCell(view.platformLabel)}; keep-alive: ${mdCell(view.keepAliveLabel)}; sorted by ${view.sort}`,
    `- selected: ${formatDuration(view.selectedSeconds)} (${view.selectedSeconds} s)`,
    `- current setting: ${formatDuration(view.currentSeconds)} (${view.currentSeconds} s)`,
    `- recommended (smallest candidate with 0 broken sessions): ${view.recommendedSeconds === null ? 'none' : `${formatDuration(view.recommendedSeconds)} (${view.recommendedSeconds} s)`}`,
    '',
  ];
  return `${planMarkdown(r).trimEnd()}\n\n${lines.join('\n')}`;
}
