/** Where the compiled module of a worker thread of the read stage is. */
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The compiled worker module `name` (e.g. 'capture-worker.js') next to this module; run from src/
 * (tests), the one in dist/; null if neither exists.
 */
export function workerFile(name: string): string | null {
  const sibling = join(dirname(fileURLToPath(import.meta.url)), name);
  if (existsSync(sibling)) return sibling;
  const fromDist = sibling.replace(`${sep}src${sep}read${sep}`, `${sep}dist${sep}read${sep}`);
  return existsSync(fromDist) ? fromDist : null;
}
