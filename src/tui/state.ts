/**
 * The comparison view's state and what each key does to it. A key is applied to the latest
 * state, not to the one the last frame showed, so that keys arriving together (typed ahead,
 * or a terminal sending several in one read) each count.
 */
import type { Key } from 'ink';
import type { CandidateResult } from '../model/types.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import { FwtpError } from '../util/errors.js';
import { sanitizeText } from '../util/text.js';
import { assertNotAnInput } from '../util/atomic.js';
import { mod, type PlanStore } from './store.js';
import { stepTimeout } from './grid.js';
import type { Layout } from './layout.js';
import type { TableRow } from './CandidateTable.js';
import { detailLineCount } from './DetailPane.js';
import { defaultExportPath, parseExportFormat, renderViewReport, viewPlanResult, type ExportFormat, type ViewMeta } from './report.js';
import { currentTimeoutSeconds } from '../model/platforms.js';

export type SortKey = 'timeout' | 'broken' | 'memory';
export const SORT_KEYS: readonly SortKey[] = ['timeout', 'broken', 'memory'];
export type Pane = 'table' | 'chart' | 'detail';
export const PANES: readonly Pane[] = ['table', 'chart', 'detail'];

export type PromptMode =
  | { kind: 'add'; text: string }
  | { kind: 'export-format'; text: string }
  | { kind: 'export-path'; format: ExportFormat; text: string };
export type Mode = { kind: 'normal' } | { kind: 'help' } | PromptMode;

export interface UiState {
  /** Candidate timeouts, ascending, distinct (seconds). */
  timeouts: number[];
  selectedSeconds: number;
  /** Indices into store.platformChoices / keepAliveChoices. */
  platformIndex: number;
  keepAliveIndex: number;
  sort: SortKey;
  focus: Pane;
  mode: Mode;
  message: { text: string; error: boolean } | null;
  detailScroll: number;
}

export function initialUiState(timeouts: readonly number[], selectedSeconds?: number): UiState {
  const sorted = [...new Set(timeouts)].sort((a, b) => a - b);
  const selected = selectedSeconds !== undefined && sorted.includes(selectedSeconds) ? selectedSeconds : sorted[0] ?? 3600;
  return {
    timeouts: sorted.length > 0 ? sorted : [selected], selectedSeconds: selected, platformIndex: 0, keepAliveIndex: 0,
    sort: 'timeout', focus: 'table', mode: { kind: 'normal' }, message: null, detailScroll: 0,
  };
}

/** Display order: by timeout, or by broken sessions / peak memory (pending rows last), ties by timeout. */
export function sortRows(rows: TableRow[], sort: SortKey): TableRow[] {
  const value = (r: TableRow): number => {
    if (sort === 'timeout') return r.timeoutSeconds;
    if (r.result === undefined) return Number.POSITIVE_INFINITY;
    return sort === 'broken' ? r.result.sessionsWithDrops : r.result.memoryBytes.peak;
  };
  return [...rows].sort((a, b) => value(a) - value(b) || a.timeoutSeconds - b.timeoutSeconds);
}

/**
 * The smallest candidate with no broken session, once it and every smaller one are known;
 * null when none qualifies, undefined while it cannot be told yet.
 */
export function recommendedOf(timeouts: readonly number[], peek: (t: number) => CandidateResult | undefined): number | null | undefined {
  for (const t of [...timeouts].sort((a, b) => a - b)) {
    const r = peek(t);
    if (r === undefined) return undefined;
    if (r.sessionsWithDrops === 0) return t;
  }
  return null;
}

export interface View {
  rows: TableRow[];
  selectedIndex: number;
  /** --current, else the platform's own timeout for the state the candidate replaces; undefined while its planner is being made. */
  currentSeconds: number | undefined;
  recommendedSeconds: number | null | undefined;
  /** Largest peak of the evaluated candidates (the sparklines' full block). */
  scaleMax: number;
  pending: number;
}

/** What the view shows for a state: reads the memo only (no model work). */
export function viewOf(s: UiState, store: PlanStore, protocol: 'tcp' | 'udp', givenCurrentSeconds?: number): View {
  const peek = (t: number): CandidateResult | undefined => store.peek(s.platformIndex, s.keepAliveIndex, t);
  const planner = store.hasPlanner(s.platformIndex, s.keepAliveIndex) ? store.planner(s.platformIndex, s.keepAliveIndex) : undefined;
  // --current names the timeout in force whatever profile is being tried; else the profile's own.
  const currentSeconds = givenCurrentSeconds ?? (planner ? currentTimeoutSeconds(planner.platform, protocol) : undefined);
  const recommendedSeconds = recommendedOf(s.timeouts, peek);
  const rows = sortRows(s.timeouts.map((t) => ({ timeoutSeconds: t, result: peek(t), current: t === currentSeconds, recommended: t === recommendedSeconds })), s.sort);
  return {
    rows,
    selectedIndex: Math.max(0, rows.findIndex((r) => r.timeoutSeconds === s.selectedSeconds)),
    currentSeconds,
    recommendedSeconds,
    scaleMax: rows.reduce((m, r) => Math.max(m, r.result?.tableEntries.peak ?? 0), 0),
    pending: rows.filter((r) => r.result === undefined).length,
  };
}

export interface KeyContext {
  store: PlanStore;
  meta: ViewMeta;
  layout: Layout;
  inputPaths: readonly string[];
  writeReport: (path: string, text: string) => void;
}

export interface KeyOutcome {
  state: UiState;
  exit: boolean;
}

const say = (s: UiState, text: string, error = false): UiState => ({ ...s, message: { text, error } });

function select(s: UiState, seconds: number): UiState {
  return { ...s, selectedSeconds: seconds, detailScroll: 0 };
}

function moveSelection(s: UiState, view: View, to: number): UiState {
  if (view.rows.length === 0) return s;
  const i = Math.max(0, Math.min(view.rows.length - 1, to));
  return select(s, view.rows[i]!.timeoutSeconds);
}

function moveTimeout(s: UiState, dir: 1 | -1): UiState {
  const next = stepTimeout(s.selectedSeconds, dir, new Set(s.timeouts));
  if (next === null) return say(s, `no grid value ${dir > 0 ? 'above' : 'below'} ${formatDuration(s.selectedSeconds)} that is not a candidate already`, true);
  return select({ ...s, timeouts: s.timeouts.map((t) => (t === s.selectedSeconds ? next : t)).sort((a, b) => a - b) }, next);
}

function addCandidate(s: UiState, text: string): UiState {
  let seconds: number;
  try {
    seconds = parseDuration(text);
  } catch (e) {
    return say(s, e instanceof FwtpError ? e.message : String(e), true);
  }
  if (!(seconds > 0)) return say(s, `a timeout must be above zero (got "${sanitizeText(text)}")`, true);
  if (s.timeouts.includes(seconds)) return say(select(s, seconds), `${formatDuration(seconds)} is a candidate already`);
  return say(select({ ...s, timeouts: [...s.timeouts, seconds].sort((a, b) => a - b) }, seconds), `added ${formatDuration(seconds)} (${seconds} s)`);
}

function removeCandidate(s: UiState, view: View): UiState {
  if (s.timeouts.length <= 1) return say(s, 'the last candidate cannot be removed', true);
  const rest = view.rows.filter((r) => r.timeoutSeconds !== s.selectedSeconds);
  const next = rest[Math.min(view.selectedIndex, rest.length - 1)]!.timeoutSeconds;
  return say(select({ ...s, timeouts: s.timeouts.filter((t) => t !== s.selectedSeconds) }, next), `removed ${formatDuration(s.selectedSeconds)}`);
}

/** Writes the report of the view; every candidate is evaluated first (an export has all figures). */
export function exportView(s: UiState, format: ExportFormat, pathText: string, ctx: KeyContext): UiState {
  const path = pathText.trim() === '' ? defaultExportPath(format) : pathText.trim();
  const { store, meta } = ctx;
  const pi = s.platformIndex;
  const ki = s.keepAliveIndex;
  try {
    assertNotAnInput(path, ctx.inputPaths);
    for (const t of s.timeouts) store.evaluate(pi, ki, t);
    const view = viewOf(s, store, meta.protocol);
    const planner = store.planner(pi, ki);
    const text = renderViewReport(format, viewPlanResult(planner, view.rows.map((r) => r.result!), meta), {
      selectedSeconds: s.selectedSeconds,
      currentSeconds: currentTimeoutSeconds(planner.platform, meta.protocol),
      recommendedSeconds: view.recommendedSeconds ?? null,
      sort: s.sort,
      platformLabel: store.platformChoices[mod(pi, store.platformChoices.length)]!.label,
      keepAliveLabel: store.keepAliveChoices[mod(ki, store.keepAliveChoices.length)]!.label,
    });
    ctx.writeReport(path, text);
    return say(s, `wrote ${format} report to ${sanitizeText(path)} (${view.rows.length} candidates)`);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return say(s, `export failed: ${sanitizeText(why)}`, true);
  }
}

function finishPrompt(s: UiState, m: PromptMode, ctx: KeyContext): UiState {
  const normal: UiState = { ...s, mode: { kind: 'normal' } };
  if (m.kind === 'add') return addCandidate(normal, m.text);
  if (m.kind === 'export-format') {
    const format = parseExportFormat(m.text);
    if (format === null) return say({ ...s, mode: m }, `unknown format "${sanitizeText(m.text)}": md, json or csv`, true);
    return { ...s, message: null, mode: { kind: 'export-path', format, text: '' } };
  }
  return exportView(normal, m.format, m.text, ctx);
}

/** Text typed into a prompt: printable characters only (a paste arrives as one string). */
function typeInto(text: string, input: string, key: Partial<Key>): string | null {
  if (key.backspace || key.delete) return text.slice(0, -1);
  if (key.ctrl || key.meta || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.tab || key.escape) return null;
  const clean = sanitizeText(input).replace(/[\r\n\t]/g, '');
  return clean === '' ? null : text + clean;
}

function applyPromptKey(s: UiState, m: PromptMode, input: string, key: Partial<Key>, ctx: KeyContext): UiState {
  if (key.escape) return say({ ...s, mode: { kind: 'normal' } }, 'cancelled');
  if (key.return) return finishPrompt(s, m, ctx);
  // Typed ahead or pasted, text and Enter can arrive as one string.
  const enterAt = input.search(/[\r\n]/);
  if (enterAt >= 0) return finishPrompt(s, { ...m, text: m.text + sanitizeText(input.slice(0, enterAt)).replace(/\t/g, '') }, ctx);
  const text = typeInto(m.text, input, key);
  return text === null ? s : { ...s, mode: { ...m, text } };
}

/** What one key does (docs/COMPARE.md lists them; src/tui/keys.ts holds the help text). */
export function applyKey(state: UiState, input: string, key: Partial<Key>, ctx: KeyContext): KeyOutcome {
  const stay = (next: UiState): KeyOutcome => ({ state: next, exit: false });
  if (key.ctrl && input === 'c') return { state, exit: true };
  const m = state.mode;
  if (m.kind === 'add' || m.kind === 'export-format' || m.kind === 'export-path') return stay(applyPromptKey(state, m, input, key, ctx));
  if (m.kind === 'help') return input === 'q' ? { state, exit: true } : stay({ ...state, mode: { kind: 'normal' } });

  const s: UiState = { ...state, message: null };
  const { store } = ctx;
  const view = viewOf(s, store, ctx.meta.protocol);
  if (input === 'q') return { state: s, exit: true };
  if (input === '?') return stay({ ...s, mode: { kind: 'help' } });
  if (key.tab) return stay({ ...s, focus: PANES[mod(PANES.indexOf(s.focus) + (key.shift ? -1 : 1), PANES.length)]! });
  if (key.upArrow || key.downArrow) {
    const d = key.upArrow ? -1 : 1;
    if (s.focus !== 'detail') return stay(moveSelection(s, view, view.selectedIndex + d));
    const result = store.peek(s.platformIndex, s.keepAliveIndex, s.selectedSeconds);
    const total = detailLineCount(s.selectedSeconds, result, ctx.layout.detailWidth, store.base.window.seconds, view.scaleMax);
    const shown = Math.max(1, ctx.layout.bottomHeight - 3);
    return stay({ ...s, detailScroll: Math.max(0, Math.min(s.detailScroll + d, total - shown)) });
  }
  if (key.home) return stay(moveSelection(s, view, 0));
  if (key.end) return stay(moveSelection(s, view, view.rows.length - 1));
  if (key.leftArrow) return stay(moveTimeout(s, -1));
  if (key.rightArrow) return stay(moveTimeout(s, 1));
  switch (input) {
    case 'a': return stay({ ...s, mode: { kind: 'add', text: '' } });
    case 'd': return stay(removeCandidate(s, view));
    case 'p': return stay({ ...s, platformIndex: mod(s.platformIndex + 1, store.platformChoices.length) });
    case 'P': return stay({ ...s, platformIndex: mod(s.platformIndex - 1, store.platformChoices.length) });
    case 'k': return stay({ ...s, keepAliveIndex: mod(s.keepAliveIndex + 1, store.keepAliveChoices.length) });
    case 'K': return stay({ ...s, keepAliveIndex: mod(s.keepAliveIndex - 1, store.keepAliveChoices.length) });
    case 's': return stay({ ...s, sort: SORT_KEYS[mod(SORT_KEYS.indexOf(s.sort) + 1, SORT_KEYS.length)]! });
    case 'e': return stay({ ...s, mode: { kind: 'export-format', text: '' } });
    default: return stay(s);
  }
}

/**
 * Ink hands a run of plain characters over as one input ("\t\t", "pk", "2h\r"): typed ahead, or
 * several keys in one read. Split such a run into the keys it holds so that each one counts.
 */
export function splitKeys(input: string, key: Partial<Key>): Array<[string, Partial<Key>]> {
  const chars = Array.from(input);
  if (chars.length <= 1 || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.home || key.end || key.escape || key.meta) return [[input, key]];
  return chars.map((c): [string, Partial<Key>] => {
    if (c === '\t') return ['', { tab: true }];
    if (c === '\r' || c === '\n') return ['', { return: true }];
    if (c === '\x7f' || c === '\b') return ['', { backspace: true }];
    if (c === '\x03') return ['c', { ctrl: true }];
    return [c, /[A-Z]/.test(c) ? { shift: true } : {}];
  });
}
