/**
 * Opening inputs: a path or `-` (standard input), gzip recognised by its magic bytes and
 * decompressed on the fly (node:zlib), with a bound on the decompressed size so that a
 * decompression bomb stops with a clear message instead of filling the disk or memory.
 */
import { statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
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
/** Bytes asked of the file per read. */
const READ_CHUNK_BYTES = 1 << 20;

/**
 * A regular file read with one handle, the next chunk read ahead while the current one is
 * parsed (as createReadStream does). Each read used to get a fresh 1 MiB buffer: on a 213 MiB
 * capture that was a fault on every new page. After `inPlace()` (a reader that consumes each
 * chunk before asking for the next, as readCapture does) reads alternate between two reused
 * buffers: the one handed out, and the one being filled.
 */
function fileChunks(path: string, counted: (n: number) => void, inPlace: () => boolean): AsyncIterator<Buffer> {
  type Read = { chunk: Buffer | null } | { error: unknown };
  let handle: FileHandle | null = null;
  const reused: Buffer[] = [];
  let turn = 0;
  let ahead: Promise<Read> | null = null;
  let done = false;
  const close = async (): Promise<void> => {
    done = true;
    const h = handle;
    handle = null;
    if (h !== null) await h.close();
  };
  const readOne = async (): Promise<Read> => {
    try {
      handle ??= await open(path, 'r');
      let buf: Buffer;
      if (inPlace()) {
        turn ^= 1;
        buf = reused[turn] ??= Buffer.allocUnsafeSlow(READ_CHUNK_BYTES);
      } else buf = Buffer.allocUnsafe(READ_CHUNK_BYTES);
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) return { chunk: null };
      counted(bytesRead);
      return { chunk: bytesRead === buf.length ? buf : buf.subarray(0, bytesRead) };
    } catch (error) {
      return { error };
    }
  };
  return {
    async next(): Promise<IteratorResult<Buffer>> {
      if (done) return { done: true, value: undefined };
      const r = await (ahead ?? readOne());
      ahead = null;
      if ('error' in r) {
        await close().catch(() => undefined);
        throw r.error;
      }
      if (r.chunk === null) {
        await close();
        return { done: true, value: undefined };
      }
      ahead = readOne();
      return { done: false, value: r.chunk };
    },
    async return(): Promise<IteratorResult<Buffer>> {
      if (ahead !== null) await ahead;
      ahead = null;
      await close();
      return { done: true, value: undefined };
    },
  };
}

/**
 * Lets the input put every chunk after the first into one reused buffer: the caller reads
 * each chunk completely, keeping none of its bytes, before it asks for the next.
 */
export function consumeInPlace(o: OpenedInput): void {
  const f = (o as { consumeInPlace?: () => void }).consumeInPlace;
  if (f !== undefined) f();
}

/** Open an input and look at its first bytes to see whether it is gzip. */
export async function openInput(path: string, maxDecompressed = DEFAULT_MAX_DECOMPRESSED): Promise<OpenedInput> {
  const name = displayName(path);
  let rawIter: AsyncIterator<Buffer>;
  let rawBytes = 0;
  let inPlace = false;
  let sizeBytes: number | null = null;
  // Reuse is for the bytes as read; gzip's inflater keeps the chunks it is given.
  let gzip = false;
  const destroyRaw = (): void => { void rawIter.return?.(); };
  if (path === STDIN_PATH) {
    process.stdin.on('data', (c: Buffer) => { rawBytes += c.length; });
    rawIter = process.stdin[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
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
    rawIter = fileChunks(path, (n) => { rawBytes += n; }, () => inPlace && !gzip);
  }
  let first: IteratorResult<Buffer>;
  try {
    first = await rawIter.next();
  } catch (e) {
    throw inputError('INPUT_UNREADABLE', `cannot read: ${(e as Error).message}`, { file: name });
  }
  const head: Buffer | null = first.done ? null : first.value;
  gzip = head !== null && head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;

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
    const plain: OpenedInput & { consumeInPlace(): void } = {
      name, chunks: replay(), gzip: false, sizeBytes, rawBytesRead: () => rawBytes, consumeInPlace: () => { inPlace = true; },
    };
    return plain;
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
          if (path !== STDIN_PATH) destroyRaw();
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
