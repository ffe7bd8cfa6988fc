/**
 * Outputs are written atomically: a temporary file beside the target, then rename, so a
 * reader never sees half a report and an interrupted run leaves the old file intact.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync, realpathSync, existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { usageError } from './errors.js';

export function writeFileAtomic(path: string, data: string | Buffer): void {
  const dir = dirname(resolve(path));
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw e;
  }
}

/** Refuse an output path that is one of the inputs: inputs are never modified. */
export function assertNotAnInput(output: string, inputs: readonly string[]): void {
  const canon = (p: string): string => (existsSync(p) ? realpathSync(p) : resolve(p));
  const out = canon(output);
  for (const i of inputs) {
    if (i !== '-' && canon(i) === out) {
      throw usageError('CLI_OUTPUT_IS_INPUT', `output ${output} is also an input; fwtp never overwrites its inputs`);
    }
  }
}
