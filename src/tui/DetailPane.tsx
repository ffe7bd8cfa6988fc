/** The selected candidate in detail: entries over time, broken sessions by kind, memory apart from the fixed cost, services most affected, per-service figures. */
import { Box, Text } from 'ink';
import type { CandidateResult } from '../model/types.js';
import { formatBytes } from '../util/bytes.js';
import { serviceName, signedBytes } from '../report/plan-services.js';
import { formatDuration } from '../util/duration.js';
import { sanitizeText } from '../util/text.js';
import { countText, fit, meanText, sparkline } from './format.js';

export type LineKind = 'title' | 'plain' | 'spark' | 'bad' | 'good' | 'note' | 'dim';

export interface DetailLine {
  text: string;
  kind: LineKind;
}

const KIND_NAMES: Record<string, string> = { keepAlive: 'keep-alive', data: 'data', close: 'close' };

/** Cut long text into lines of at most `width` columns, at spaces where possible. */
export function wrapText(text: string, width: number): string[] {
  if (width <= 0) return [];
  const out: string[] = [];
  let rest = text;
  while (rest.length > width) {
    let cut = rest.lastIndexOf(' ', width);
    if (cut <= 0) cut = width;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0) out.push(rest);
  return out;
}

/**
 * The pane's lines for one candidate, `width` columns wide. Affected services are printed as a
 * drop log would show them (`tcp 198.51.100.24:1521 -> 192.0.2.10:*  14 sessions, keep-alive
 * after 2h`), on two lines when the pane is narrow. Input-derived text is sanitised.
 */
export function detailLines(timeoutSeconds: number, c: CandidateResult | undefined, width: number, windowSeconds: number, scaleMax: number): DetailLine[] {
  const lines: DetailLine[] = [];
  if (c === undefined) return [{ text: `${formatDuration(timeoutSeconds)}: evaluating…`, kind: 'dim' }];
  const k = c.brokenByKind;
  const add = (text: string, kind: LineKind): void => {
    for (const l of wrapText(text, width)) lines.push({ text: l, kind });
  };
  add(`${c.sessionsWithDrops} broken: keep-alive ${k.keepAlive}, data ${k.data}, close ${k.close}`, c.sessionsWithDrops > 0 ? 'bad' : 'good');
  add(`dropped ${countText(c.droppedKeepAlives)} keep-alives, ${countText(c.droppedPackets)} packets`, 'plain');
  add(`entries peak ${countText(c.tableEntries.peak)}, mean ${meanText(c.tableEntries.mean)}, p99 ${countText(c.tableEntries.p99)}`, 'plain');
  const m = c.memory;
  if (m !== undefined) {
    // Entry memory apart from the table's fixed cost, which no timeout changes (docs/MODEL.md, "Memory").
    add(`entry memory peak ${formatBytes(m.entryBytesPeak)}, mean ${formatBytes(m.entryBytesMean)} (+ fixed ${formatBytes(m.fixedBytes)})`, 'plain');
    add(`vs current ${formatDuration(m.currentSeconds)}: ${signedBytes(m.changeFromCurrentBytes.mean)} mean, ${signedBytes(m.changeFromCurrentBytes.peak)} peak`, 'plain');
  } else {
    add(`peak memory ${formatBytes(c.memoryBytes.peak)}`, 'plain');
  }
  add(`entries over ${formatDuration(Math.round(windowSeconds))} (full block: ${countText(scaleMax)}):`, 'dim');
  lines.push({ text: sparkline(c.series, width, scaleMax), kind: 'spark' });
  if (c.growthPerHour !== null) add(`${c.growthPerHour.toFixed(2)} entries/h never expire (kept by keep-alives)`, 'note');
  if (c.affected.length > 0) {
    lines.push({ text: 'most affected:', kind: 'title' });
    for (const a of c.affected) {
      const label = sanitizeText(a.label);
      const what = `${a.sessions} session${a.sessions === 1 ? '' : 's'}, ${KIND_NAMES[a.kind] ?? a.kind} after ${formatDuration(Math.round(a.idleSeconds))}`;
      const one = `${label}  ${what}`;
      if (one.length <= width) lines.push({ text: one, kind: 'plain' });
      else {
        lines.push({ text: label, kind: 'plain' });
        lines.push({ text: `  ${what}`, kind: 'plain' });
      }
    }
  } else {
    add('no session loses its state while in use', 'good');
  }
  if (c.services !== undefined && c.services.length > 0) {
    lines.push({ text: 'per service (most sessions first):', kind: 'title' });
    for (const sv of c.services) {
      const label = sanitizeText(serviceName(sv));
      const what = `${sv.sessionsWithDrops}/${sv.sessions} broken, entries peak ${countText(sv.tableEntries.peak)} mean ${meanText(sv.tableEntries.mean)}, ${formatBytes(sv.memoryBytes.peak)}`;
      const one = `${label}  ${what}`;
      if (one.length <= width) lines.push({ text: one, kind: sv.sessionsWithDrops > 0 ? 'bad' : 'plain' });
      else {
        lines.push({ text: label, kind: sv.sessionsWithDrops > 0 ? 'bad' : 'plain' });
        for (const l of wrapText(what, Math.max(1, width - 2))) lines.push({ text: `  ${l}`, kind: 'plain' });
      }
    }
  }
  if (c.extrapolated && c.extrapolatedReason !== undefined) {
    add(`* extrapolated: ${sanitizeText(c.extrapolatedReason)}`, 'note');
  }
  for (const w of c.warnings) add(`warning: ${sanitizeText(w)}`, 'bad');
  return lines;
}

const COLOURS: Record<LineKind, string | undefined> = {
  title: undefined, plain: undefined, spark: 'blue', bad: 'red', good: 'green', note: 'yellow', dim: undefined,
};

export interface DetailPaneProps {
  timeoutSeconds: number;
  candidate: CandidateResult | undefined;
  title: string;
  width: number;
  height: number;
  /** First line shown (the pane scrolls when focused). */
  scroll: number;
  windowSeconds: number;
  scaleMax: number;
  focused: boolean;
  color: boolean;
}

export function DetailPane({ timeoutSeconds, candidate, title, width, height, scroll, windowSeconds, scaleMax, focused, color }: DetailPaneProps) {
  const inner = Math.max(1, width - 2);
  const body = Math.max(1, height - 3);
  const all = detailLines(timeoutSeconds, candidate, inner, windowSeconds, scaleMax);
  const top = Math.max(0, Math.min(scroll, all.length - body));
  const shown = all.slice(top, top + body);
  const more = all.length > body ? ` [${top + 1}-${top + shown.length}/${all.length}]` : '';
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle={focused ? 'double' : 'single'} {...(color && focused ? { borderColor: 'cyan' } : {})}>
      <Text wrap="truncate" bold>{fit(`${fit(title, Math.max(0, inner - more.length)).trimEnd()}${more}`, inner)}</Text>
      {shown.map((l, i) => (
        <Text key={i} wrap="truncate" bold={l.kind === 'title'} dimColor={color && l.kind === 'dim'} {...(color && COLOURS[l.kind] !== undefined ? { color: COLOURS[l.kind] } : {})}>{fit(l.text, inner)}</Text>
      ))}
    </Box>
  );
}

/** How many lines the pane holds for a candidate (for scrolling limits). */
export function detailLineCount(timeoutSeconds: number, c: CandidateResult | undefined, width: number, windowSeconds: number, scaleMax: number): number {
  return detailLines(timeoutSeconds, c, Math.max(1, width - 2), windowSeconds, scaleMax).length;
}
