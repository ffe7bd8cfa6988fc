/**
 * Outputs are written atomically: a temporary file beside the target, then rename, so a
 * reader never sees half a report and an interrupted run leaves the old file intact.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync, realpathSync, existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { FwtpError, usageError } from './errors.js';

export function writeFileAtomic(path: string, data: string | Buffer): void {
  const dir = dirname(resolve(path));
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', 0o644);
  } catch (e) {
    throw outputError(path, e);
  }
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    // writeSync may write less than asked (a full disk, a file-size limit): loop, and fail on no progress.
    let done = 0;
    while (done < bytes.length) {
      const n = writeSync(fd, bytes, done, bytes.length - done);
      if (n <= 0) throw Object.assign(new Error(`wrote ${done} of ${bytes.length} bytes`), { code: 'ENOSPC' });
      done += n;
    }
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw outputError(path, e);
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw outputError(path, e);
  }
}

/** A failed output write, as a user-facing error: a bad path is a usage error, a full disk an I/O one. */
function outputError(path: string, e: unknown): FwtpError {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  const usage = ['EISDIR', 'ENOENT', 'ENOTDIR', 'EACCES', 'EPERM', 'EROFS'].includes(code);
  return new FwtpError('OUTPUT_WRITE_FAILED', usage ? 'usage' : 'input',
    `cannot write the output (${code || (e as Error).message}); the previous file, if any, is unchanged`, { file: path });
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
