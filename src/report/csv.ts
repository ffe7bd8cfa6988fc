/**
 * CSV cells per RFC 4180, protected against formula injection: a cell that a spreadsheet
 * would run (starting with = + - @, tab or carriage return) gets a leading apostrophe
 * (OWASP "CSV Injection"). Numbers are written as numbers.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  if (/[",\r\n]/.test(text) || text !== value) return `"${text.replace(/"/g, '""')}"`;
  return text;
}

export function csvLine(values: Array<string | number | boolean | null | undefined>): string {
  return values.map(csvCell).join(',');
}
