/**
 * Where the panes go for a terminal size: header line, candidates table (full width), chart
 * and details side by side below it, status line. One spare row is kept below the view: Ink
 * redraws the whole screen on every frame once the output fills the terminal.
 */
export interface Layout {
  columns: number;
  /** Candidate rows the table shows at once (it scrolls around the selection beyond that). */
  tableBody: number;
  /** Outer height of the table pane (borders, header and legend lines included). */
  tableHeight: number;
  /** Outer height of the chart and details panes, and their widths. */
  bottomHeight: number;
  chartWidth: number;
  detailWidth: number;
  /** Height of the help pane, which takes the place of the table and the panes below it. */
  bodyHeight: number;
}

/** Borders (2), column header and legend lines. */
const TABLE_CHROME = 4;
/** Smallest chart/details pane: borders, a title and 7 lines. */
const BOTTOM_MIN = 10;
/** Height of the chart/details panes when the view is printed (no terminal height). */
export const PRINT_BOTTOM_HEIGHT = 16;

/**
 * @param rows terminal rows, or undefined when printing (then every candidate is shown)
 */
export function layoutFor(columns: number, rows: number | undefined, candidates: number): Layout {
  const chartWidth = Math.floor(columns / 2);
  const detailWidth = columns - chartWidth;
  const n = Math.max(1, candidates);
  if (rows === undefined) {
    return { columns, tableBody: n, tableHeight: n + TABLE_CHROME, bottomHeight: PRINT_BOTTOM_HEIGHT, chartWidth, detailWidth, bodyHeight: n + TABLE_CHROME + PRINT_BOTTOM_HEIGHT };
  }
  const avail = Math.max(TABLE_CHROME + 1 + BOTTOM_MIN, rows - 1 - 2); // - spare row - header - status
  const bottomMin = Math.max(BOTTOM_MIN, Math.floor(avail * 0.45));
  const tableBody = Math.max(1, Math.min(n, avail - TABLE_CHROME - bottomMin));
  const tableHeight = tableBody + TABLE_CHROME;
  return { columns, tableBody, tableHeight, bottomHeight: avail - tableHeight, chartWidth, detailWidth, bodyHeight: avail };
}
