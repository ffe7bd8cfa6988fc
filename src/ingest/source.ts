/**
 * Opening inputs: a path or `-` (standard input), gzip recognised by its magic bytes and
 * decompressed on the fly (node:zlib), with a bound on the decompressed size so that a
 * decompression bomb stops with a clear message instead of filling the disk or memory.
 */
import { createReadStream, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { inputError } from '../util/errors.js';

export const STDIN_PATH = '-';
export const DEFAULT_MAX_DECOMPRESSED = 64 * 1024 ** 3; // 64 GiB

export interface OpenedInput {
  /** Name for messages: the path, or "(stdin)". */
  name: string;
  /** Chunks of the (decompressed) content. */
  chunks: AsyncIterable<Buffer>;
  gzip: boolean;
  /** Size on disk when known (for progress), else null. */
  sizeBytes: number | null;
  /** Compressed bytes read so far (for progress on gzip input). */
  rawBytesRead(): number;
}

export function displayName(path: string): string {
  return path === STDIN_PATH ? '(stdin)' : path;
}

/** Open an input and look at its first bytes to see whether it is gzip. */
export async function openInput(path: string, maxDecompressed = DEFAULT_MAX_DECOMPRESSED): Promise<OpenedInput> {
  const name = displayName(path);
  let raw: Readable;
  let sizeBytes: number | null = null;
  if (path === STDIN_PATH) {
    raw = process.stdin;
  } else {
    try {
      const st = statSync(path);
      if (st.isDirectory()) throw inputError('INPUT_IS_DIRECTORY', 'is a directory (expected a capture, dump or export file)', { file: name });
      sizeBytes = st.size;
    } catch (e) {
      if (e instanceof Error && 'code' in e && typeof (e as NodeJS.ErrnoException).code === 'string' && !(e as { kind?: string }).kind) {
        throw inputError('INPUT_UNREADABLE', `cannot read: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { file: name });
      }
      throw e;
    }
    raw = createReadStream(path, { highWaterMark: 1 << 20 });
  }
  let rawBytes = 0;
  raw.on('data', (c: Buffer) => { rawBytes += c.length; });
  const rawIter = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let first: IteratorResult<Buffer>;
  try {
    first = await rawIter.next();
  } catch (e) {
    throw inputError('INPUT_UNREADABLE', `cannot read: ${(e as Error).message}`, { file: name });
  }
  const head: Buffer | null = first.done ? null : first.value;
  const gzip = head !== null && head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;

  async function* replay(): AsyncGenerator<Buffer> {
    if (head !== null) yield head;
    for (;;) {
      let r: IteratorResult<Buffer>;
      try {
        r = await rawIter.next();
      } catch (e) {
        throw inputError('INPUT_UNREADABLE', `read error: ${(e as Error).message}`, { file: name, byteOffset: rawBytes });
      }
      if (r.done) return;
      yield r.value;
    }
  }

  if (!gzip) {
    return { name, chunks: replay(), gzip: false, sizeBytes, rawBytesRead: () => rawBytes };
  }

  async function* gunzipped(): AsyncGenerator<Buffer> {
    const gunzip = createGunzip({ chunkSize: 1 << 20 });
    let out = 0;
    const pump = (async () => {
      try {
        for await (const c of replay()) {
          if (gunzip.destroyed) break;
          // Wait for room, or for the stream's end: corrupt data (or the reader stopping early)
          // destroys it, and then 'drain' never comes (test/fuzz/regressions.test.ts).
          if (!gunzip.write(c)) {
            await new Promise<void>((r) => {
              const go = (): void => { gunzip.off('drain', go); gunzip.off('close', go); r(); };
              gunzip.on('drain', go);
              gunzip.on('close', go);
            });
          }
        }
        if (gunzip.destroyed) {
          if (path !== STDIN_PATH) raw.destroy();
        } else gunzip.end();
      } catch (e) {
        gunzip.destroy(e as Error);
      }
    })();
    try {
      for await (const c of gunzip as AsyncIterable<Buffer>) {
        out += c.length;
        if (out > maxDecompressed) {
          throw inputError('GZIP_TOO_LARGE',
            `decompresses to more than ${maxDecompressed} bytes (a decompression bomb, or raise --max-decompressed)`, { file: name });
        }
        yield c;
      }
    } catch (e) {
      if ((e as { kind?: string }).kind !== undefined) throw e;
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(err.message)) {
        // A gzip stream cut short: what was decompressed so far has been delivered.
        truncatedGzip = true;
        return;
      }
      throw inputError('GZIP_CORRUPT', `gzip data is corrupt after ${out} decompressed bytes (${err.message})`, { file: name, byteOffset: rawBytes });
    } finally {
      await pump.catch(() => undefined);
    }
  }
  let truncatedGzip = false;
  const opened: OpenedInput & { gzipTruncated(): boolean } = {
    name, chunks: gunzipped(), gzip: true, sizeBytes, rawBytesRead: () => rawBytes, gzipTruncated: () => truncatedGzip,
  };
  return opened;
}

/** Whether a gzip input ended early (its decompressed content stops at the damage). */
export function gzipTruncated(o: OpenedInput): boolean {
  const f = (o as { gzipTruncated?: () => boolean }).gzipTruncated;
  return f !== undefined && f();
}
