import { describe, expect, it } from 'vitest';
import { applyKey, initialUiState, recommendedOf, sortRows, splitKeys, viewOf, type KeyContext, type UiState } from '../../src/tui/state.js';
import { layoutFor } from '../../src/tui/layout.js';
import { parseExportFormat, defaultExportPath } from '../../src/tui/report.js';
import type { CandidateResult } from '../../src/model/types.js';
import { STORY_META, STORY_TIMEOUTS, storyStore } from './fixtures.js';

function ctx(writes: Array<[string, string]> = []): KeyContext {
  return { store: storyStore(), meta: STORY_META, layout: layoutFor(100, 30, 4), inputPaths: ['story.pcap'], writeReport: (p, t) => { writes.push([p, t]); } };
}

function keys(s: UiState, c: KeyContext, ...inputs: Array<[string, Record<string, boolean>?]>): UiState {
  for (const [input, key] of inputs) s = applyKey(s, input, key ?? {}, c).state;
  return s;
}

describe('splitKeys', () => {
  it('splits a run of plain characters into keys', () => {
    expect(splitKeys('\t\tpK', {})).toEqual([['', { tab: true }], ['', { tab: true }], ['p', {}], ['K', { shift: true }]]);
    expect(splitKeys('2h\r', {})).toEqual([['2', {}], ['h', {}], ['', { return: true }]]);
    expect(splitKeys('p', {})).toEqual([['p', {}]]);
    expect(splitKeys('', { downArrow: true })).toEqual([['', { downArrow: true }]]);
  });
});

describe('applyKey', () => {
  it('selects, moves, adds and removes candidates', () => {
    const c = ctx();
    for (const t of STORY_TIMEOUTS) c.store.evaluate(0, 0, t);
    let s = initialUiState(STORY_TIMEOUTS, 3600);
    s = keys(s, c, ['', { downArrow: true }]);
    expect(s.selectedSeconds).toBe(9000);
    s = keys(s, c, ['', { rightArrow: true }]);
    expect(s.timeouts).toEqual([60, 3600, 9100, 86400]);
    expect(s.selectedSeconds).toBe(9100);
    s = keys(s, c, ['a'], ['4'], ['5'], ['m'], ['', { return: true }]);
    expect(s.timeouts).toEqual([60, 2700, 3600, 9100, 86400]);
    expect(s.message).toEqual({ text: 'added 45m (2700 s)', error: false });
    s = keys(s, c, ['d']);
    expect(s.timeouts).toEqual([60, 3600, 9100, 86400]);
    expect(s.selectedSeconds).toBe(3600); // the row that took its place
  });

  it('cycles profiles, sort and panes, and wraps around', () => {
    const c = ctx();
    let s = initialUiState(STORY_TIMEOUTS, 3600);
    s = keys(s, c, ['P'], ['k'], ['K'], ['K'], ['s'], ['s'], ['s'], ['', { tab: true }], ['', { tab: true, shift: true }], ['', { tab: true, shift: true }]);
    expect(s.platformIndex).toBe(c.store.platformChoices.length - 1);
    expect(s.keepAliveIndex).toBe(c.store.keepAliveChoices.length - 1);
    expect(s.sort).toBe('timeout');
    expect(s.focus).toBe('detail');
  });

  it('quits on q and ctrl-c, also from the help; q is text in a prompt', () => {
    const c = ctx();
    const s = initialUiState(STORY_TIMEOUTS, 3600);
    expect(applyKey(s, 'q', {}, c).exit).toBe(true);
    expect(applyKey(s, 'c', { ctrl: true }, c).exit).toBe(true);
    const help = keys(s, c, ['?']);
    expect(help.mode.kind).toBe('help');
    expect(applyKey(help, 'q', {}, c).exit).toBe(true);
    expect(keys(help, c, ['x']).mode.kind).toBe('normal');
    const adding = keys(s, c, ['a'], ['q']);
    expect(adding.mode).toEqual({ kind: 'add', text: 'q' });
  });

  it('exports every candidate, evaluating those not reached yet', () => {
    const writes: Array<[string, string]> = [];
    const c = ctx(writes);
    const s = keys(initialUiState(STORY_TIMEOUTS, 3600), c, ['e'], ['csv'], ['', { return: true }], ['', { return: true }]);
    expect(s.message).toEqual({ text: 'wrote csv report to fwtp-compare.csv (4 candidates)', error: false });
    const lines = writes[0]![1].trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['60,3', '3600,2', '9000,0', '86400,0']);
  });
});

describe('view helpers', () => {
  const r = (t: number, broken: number, peak: number): CandidateResult => ({ timeoutSeconds: t, sessionsWithDrops: broken, memoryBytes: { mean: 0, peak } } as CandidateResult);
  it('recommends the smallest candidate with no broken session once the smaller ones are known', () => {
    const known = new Map([[60, r(60, 3, 1)], [3600, r(3600, 0, 1)]]);
    expect(recommendedOf([3600, 60, 9000], (t) => known.get(t))).toBe(3600);
    expect(recommendedOf([60, 9000], (t) => known.get(t))).toBeUndefined();
    expect(recommendedOf([60], (t) => known.get(t))).toBeNull();
  });

  it('sorts pending rows last', () => {
    const rows = [3600, 60, 9000].map((t) => ({ timeoutSeconds: t, result: t === 9000 ? undefined : r(t, t === 60 ? 3 : 1, t), current: false, recommended: false }));
    expect(sortRows(rows, 'broken').map((x) => x.timeoutSeconds)).toEqual([3600, 60, 9000]);
    expect(sortRows(rows, 'memory').map((x) => x.timeoutSeconds)).toEqual([60, 3600, 9000]);
    expect(sortRows(rows, 'timeout').map((x) => x.timeoutSeconds)).toEqual([60, 3600, 9000]);
  });

  it('reads only the memo', () => {
    const store = storyStore();
    const v = viewOf(initialUiState(STORY_TIMEOUTS, 3600), store, 'tcp');
    expect(v.pending).toBe(4);
    expect(v.recommendedSeconds).toBeUndefined();
    expect(v.currentSeconds).toBe(3600);
    expect(store.stats.evaluations).toBe(0);
  });

  it('parses the export format', () => {
    expect(parseExportFormat('')).toBe('md');
    expect(parseExportFormat(' JSON ')).toBe('json');
    expect(parseExportFormat('markdown')).toBe('md');
    expect(parseExportFormat('xls')).toBeNull();
    expect(defaultExportPath('csv')).toBe('fwtp-compare.csv');
  });
});
