/**
 * The story in three flows, for the view's tests: two pooled database sessions whose server
 * (198.51.100.24:1521) sends a keep-alive after 7200 s of silence, and one short HTTPS session
 * with a 100 s pause, in a 12-hour window. Hand-computed figures (docs/MODEL.md rules):
 * - 1m: all three sessions break (the 100 s pause and both 7200 s silences exceed it);
 * - 1h: the two pool sessions break on their keep-alive probe; 2h30m and 1d: none breaks;
 * - peak entries 3 (the HTTPS session overlaps both pool sessions), so peak memory is
 *   3 x 512 B = 1.50 KiB on cisco-asa and 3 x 256 B + 262144 x 8 B = 2.00 MiB on linux;
 * - 1d is extrapolated (the 12 h window is shorter than 1d + the 2 h keep-alive idle).
 */
import { FlowEnd, PacketKind } from '../../src/flows/types.js';
import { FlowState } from '../../src/util/protocols.js';
import { GapCollector } from '../../src/flows/distribution.js';
import { makePlanner, type PlanData, type PlanOptions } from '../../src/model/plan.js';
import { getPlatform } from '../../src/model/platforms.js';
import { PlanStore } from '../../src/tui/store.js';
import type { ViewMeta } from '../../src/tui/report.js';
import { buildFlowSet } from '../helpers/flowset.js';

export const T0 = 1_800_000_000;
export const STORY_TIMEOUTS = [60, 3600, 9000, 86400];

export function storyData(): PlanData {
  const flows = buildFlowSet([
    {
      clientPort: 40000, first: T0, last: T0 + 9100, end: FlowEnd.Open, keepAlivesS2C: 1,
      gaps: [
        { start: T0 + 10, end: T0 + 7210, kind: PacketKind.KeepAliveProbe, dir: 1 },
        { start: T0 + 7300, end: T0 + 9100, kind: PacketKind.Data, dir: 0 },
      ],
    },
    {
      clientPort: 40001, first: T0 + 5, last: T0 + 7220, end: FlowEnd.Open, keepAlivesS2C: 1,
      gaps: [{ start: T0 + 20, end: T0 + 7220, kind: PacketKind.KeepAliveProbe, dir: 1 }],
    },
    {
      clientPort: 40002, server: '203.0.113.5', serverPort: 443, first: T0 + 100, last: T0 + 215,
      end: FlowEnd.Fin, endState: FlowState.TimeWait,
      gaps: [{ start: T0 + 110, end: T0 + 210, kind: PacketKind.Data, dir: 0 }],
    },
  ], [T0, T0 + 43200]);
  // The distribution also counts the short gaps (here: 40 of 0.01 .. 0.4 s) besides the long ones.
  const gaps = new GapCollector();
  for (let k = 1; k <= 40; k++) gaps.add(k * 10_000);
  for (const s of [7200, 1800, 7200, 100, 80, 8]) gaps.add(s * 1e6);
  gaps.addCensored(43200 - 9100);
  gaps.addCensored(43200 - 7220);
  return { flows, distribution: gaps.result() };
}

export function storyOptions(platform = 'cisco-asa'): PlanOptions {
  return { platform: getPlatform(platform), keepalive: 'linux', keepaliveSource: 'profile', protocol: 'tcp' };
}

export function storyStore(platform = 'cisco-asa'): PlanStore {
  return new PlanStore(makePlanner(storyData(), storyOptions(platform)));
}

export const STORY_META: ViewMeta = { inputs: [{ path: 'story.pcap', format: 'pcap' }], flows: 3, protocol: 'tcp', warnings: [] };

export const KEY = {
  up: '\u001B[A', down: '\u001B[B', right: '\u001B[C', left: '\u001B[D', home: '\u001B[H', end: '\u001B[F',
  tab: '\t', shiftTab: '\u001B[Z', enter: '\r', esc: '\u001B', backspace: '\u007F',
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until the last frame satisfies `pred` (the view evaluates in the background). */
export async function frameWhere(lastFrame: () => string | undefined, pred: (frame: string) => boolean, timeoutMs = 5000): Promise<string> {
  const start = Date.now();
  for (;;) {
    const f = lastFrame() ?? '';
    if (pred(f)) return f;
    if (Date.now() - start > timeoutMs) throw new Error(`no frame matched within ${timeoutMs} ms; last frame:\n${f}`);
    await sleep(10);
  }
}

/** The frame once every candidate has its figures. */
export function settled(lastFrame: () => string | undefined): Promise<string> {
  return frameWhere(lastFrame, (f) => f !== '' && !f.includes('evaluating'));
}

/** Sends keys one at a time, letting Ink handle each. */
export async function press(stdin: { write: (s: string) => void }, ...keys: string[]): Promise<void> {
  for (const k of keys) {
    stdin.write(k);
    await sleep(k === KEY.esc ? 120 : 30);
  }
}

/** The table row of a timeout ("1h", "2h30m" ...) inside the borders, or null. */
export function rowLine(frame: string, timeoutText: string): string | null {
  for (const line of frame.split('\n')) {
    const inner = line.replace(/^[│║]/, '').replace(/[│║]$/, '');
    const m = /^[> ][C ][R ] (\S+)/.exec(inner);
    if (m !== null && m[1]!.replace(/\*$/, '') === timeoutText) return inner;
  }
  return null;
}

/** The numbers of a row after its timeout, in column order (broken, KA drop, peak, mean, peak mem ...). */
export function rowNumbers(frame: string, timeoutText: string): string[] {
  const line = rowLine(frame, timeoutText);
  if (line === null) throw new Error(`no row for ${timeoutText} in:\n${frame}`);
  // Cells are right-aligned in fixed widths: split on runs of 2+ spaces, and on one space before a digit or dash.
  return line.slice(4).trim().split(/ +(?=[\d-…])/).slice(1).map((c) => c.trim());
}
