/**
 * Text that comes from inputs (file names, host names, CSV fields) is stripped of control
 * characters and escape sequences before it reaches a terminal.
 */
// C0 controls except tab/newline, DEL, C1 controls, and ESC-introduced sequences (CSI, OSC, ...);
// also the bidirectional formatting characters (Unicode UAX #9: LRM, RLM, ALM, embeddings,
// overrides, isolates), with which a name can show its text in another order than it has.
// An OSC is removed with its payload only when terminated (BEL or ST): an unterminated one would
// take the rest of the text with it (an error line's message and code); its ESC ] goes, the rest
// is plain text then.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-_]|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function sanitizeText(text: string): string {
  return text.replace(ESCAPES, '');
}

/** Whether output may carry colour: a TTY, and neither NO_COLOR (https://no-color.org) nor --no-color. */
export function colorEnabled(stream: NodeJS.WriteStream, noColorFlag: boolean): boolean {
  if (noColorFlag) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

/** Pad or cut to a column width (for plain-text tables). */
export function padEnd(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

export function padStart(text: string, width: number): string {
  return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}

/** Render rows as an aligned plain-text table; numeric-looking cells are right-aligned. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[-+]?[\d.,]+(\s?[a-zA-Z%]+)?$|^-$|^$/.test(r[i] ?? '')));
  const line = (cells: string[]): string => cells.map((c, i) => (numeric[i] ? padStart(c, widths[i]!) : padEnd(c, widths[i]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}
