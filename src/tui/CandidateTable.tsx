/** The candidates table: one row per candidate timeout, the selected one highlighted. */
import { Box, Text } from 'ink';
import type { CandidateResult } from '../model/types.js';
import { formatBytes } from '../util/bytes.js';
import { PENDING, countText, fit, fitRight, meanText, shareText, timeoutText } from './format.js';

export interface TableRow {
  timeoutSeconds: number;
  /** undefined while the candidate is being evaluated. */
  result: CandidateResult | undefined;
  current: boolean;
  recommended: boolean;
}

interface Column {
  header: string;
  width: number;
  cell: (r: CandidateResult) => string;
}

/** Always shown (they fit 80 columns). */
const BASE: Column[] = [
  { header: 'broken', width: 7, cell: (r) => countText(r.sessionsWithDrops) },
  { header: 'KA drop', width: 8, cell: (r) => countText(r.droppedKeepAlives) },
  { header: 'peak', width: 8, cell: (r) => countText(r.tableEntries.peak) },
  { header: 'mean', width: 9, cell: (r) => meanText(r.tableEntries.mean) },
  { header: 'entry mem', width: 10, cell: (r) => formatBytes(r.memory?.entryBytesPeak ?? r.memoryBytes.peak) }, // peak entries x bytes per entry: the fixed cost is the same for every candidate
  { header: 'of max', width: 7, cell: (r) => shareText(r.headroom) },
];

/** Added, in this order, while the width allows. */
const EXTRA: Column[] = [
  { header: 'KA/data/close', width: 13, cell: (r) => `${r.brokenByKind.keepAlive}/${r.brokenByKind.data}/${r.brokenByKind.close}` },
  { header: 'p99', width: 8, cell: (r) => countText(r.tableEntries.p99) },
  { header: 'at end', width: 8, cell: (r) => countText(r.tableEntries.atEnd) },
  { header: 'growth/h', width: 9, cell: (r) => (r.growthPerHour === null ? '-' : r.growthPerHour.toFixed(2)) },
  { header: 'entry mean', width: 10, cell: (r) => formatBytes(r.memory?.entryBytesMean ?? r.memoryBytes.mean) },
  { header: 'dropped pkts', width: 12, cell: (r) => countText(r.droppedPackets) },
  { header: 'seconds', width: 9, cell: () => '' },
];

const MARK_WIDTH = 3;
const TIMEOUT_WIDTH = 10;

/** The numeric columns that fit an inner width (columns between the borders). */
export function tableColumns(innerWidth: number): Column[] {
  const cols = [...BASE];
  let used = MARK_WIDTH + 1 + TIMEOUT_WIDTH + cols.reduce((s, c) => s + c.width + 1, 0);
  for (const c of EXTRA) {
    if (used + c.width + 1 > innerWidth) break;
    cols.push(c);
    used += c.width + 1;
  }
  return cols;
}

/** The header line and one line per row (marks, timeout, numbers), each exactly `innerWidth` wide. */
export function tableLines(rows: readonly TableRow[], selectedIndex: number, innerWidth: number): { header: string; lines: string[] } {
  const cols = tableColumns(innerWidth);
  const header = fit(`${' '.repeat(MARK_WIDTH)} ${fit('timeout', TIMEOUT_WIDTH)}${cols.map((c) => ` ${fitRight(c.header, c.width)}`).join('')}`, innerWidth);
  const lines = rows.map((row, i) => {
    const marks = `${i === selectedIndex ? '>' : ' '}${row.current ? 'C' : ' '}${row.recommended ? 'R' : ' '}`;
    const r = row.result;
    const cells = cols.map((c) => ` ${fitRight(r === undefined ? PENDING : c.header === 'seconds' ? String(row.timeoutSeconds) : c.cell(r), c.width)}`).join('');
    return fit(`${marks} ${fit(timeoutText(row.timeoutSeconds, r), TIMEOUT_WIDTH)}${cells}`, innerWidth);
  });
  return { header, lines };
}

/** The legend, and the scroll position at the right when the table scrolls. */
export function legendLine(legend: string, more: string, innerWidth: number): string {
  if (more === '' || more.length + 2 > innerWidth) return fit(legend, innerWidth);
  return fit(legend, innerWidth - more.length - 1) + ' ' + more;
}

export interface CandidateTableProps {
  rows: readonly TableRow[];
  selectedIndex: number;
  /** Rows shown at once. */
  body: number;
  width: number;
  focused: boolean;
  color: boolean;
  /** Marks legend and sort order, on the last line. */
  legend: string;
}

export function CandidateTable({ rows, selectedIndex, body, width, focused, color, legend }: CandidateTableProps) {
  const inner = Math.max(1, width - 2);
  const { header, lines } = tableLines(rows, selectedIndex, inner);
  // Scroll so that the selection stays in the middle of the window where it can.
  const top = Math.max(0, Math.min(selectedIndex - Math.floor(body / 2), rows.length - body));
  const shown = lines.slice(top, top + body);
  const more = rows.length > body ? `${top + 1}-${Math.min(rows.length, top + body)}/${rows.length}` : '';
  return (
    <Box flexDirection="column" width={width} height={body + 4} borderStyle={focused ? 'double' : 'single'} {...(color && focused ? { borderColor: 'cyan' } : {})}>
      <Text wrap="truncate" bold>{header}</Text>
      {shown.map((line, k) => {
        const i = top + k;
        const row = rows[i]!;
        const selected = i === selectedIndex;
        const broken = row.result !== undefined && row.result.sessionsWithDrops > 0;
        const paint = color ? { color: row.recommended ? 'cyan' : row.current ? 'green' : broken ? 'red' : undefined } : {};
        return (
          <Text key={row.timeoutSeconds} wrap="truncate" inverse={selected} bold={selected} {...paint}>{line}</Text>
        );
      })}
      {shown.length < body ? Array.from({ length: body - shown.length }, (_, k) => <Text key={`pad${k}`}> </Text>) : null}
      <Text wrap="truncate" dimColor={color}>{legendLine(legend, more, inner)}</Text>
    </Box>
  );
}
