/** Numbers inside names compare as numbers (capture.2 before capture.10, as rotated files are named). */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true }) || (a < b ? -1 : a > b ? 1 : 0);
}
