/**
 * Lines of an input read back by number, to quote them (the change request quotes the drop lines
 * of a firewall log as the device wrote them). The readers keep no line text: the few lines quoted
 * are read again, gzip too. Standard input cannot be read twice: its lines come back as absent.
 */
import { displayName, openInput, STDIN_PATH } from '../ingest/source.js';

/** Longest quoted line kept, in characters (a syslog line is far shorter; a damaged one may not be). */
const MAX_QUOTED_CHARS = 2000;

/** The text of the given 1-based lines of `path` (without the line end), by line number; missing lines are left out. */
export async function readLinesAt(path: string, lines: readonly number[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  const wanted = new Set(lines);
  if (path === STDIN_PATH || path === displayName(STDIN_PATH) || wanted.size === 0) return out;
  const last = Math.max(...wanted);
  let input;
  try {
    input = await openInput(path);
  } catch {
    return out;
  }
  const decoder = new TextDecoder('utf-8');
  let lineNo = 1;
  let partial = '';
  try {
    for await (const chunk of input.chunks) {
      const text = partial + decoder.decode(chunk, { stream: true });
      let from = 0;
      for (let nl = text.indexOf('\n', from); nl >= 0; nl = text.indexOf('\n', from)) {
        if (wanted.has(lineNo)) out.set(lineNo, text.slice(from, Math.min(nl, from + MAX_QUOTED_CHARS)).replace(/\r$/, ''));
        lineNo++;
        from = nl + 1;
        if (lineNo > last) return out;
      }
      partial = text.slice(from);
    }
  } catch {
    return out;
  }
  if (partial !== '' && wanted.has(lineNo)) out.set(lineNo, partial.slice(0, MAX_QUOTED_CHARS).replace(/\r$/, ''));
  return out;
}
