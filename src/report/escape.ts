/**
 * Escapers for input-derived text in documents: HTML (element content and quoted attributes) and
 * GitHub-flavoured Markdown (table cells, lines). Each also removes control characters and
 * terminal escape sequences (src/util/text.ts).
 */
import { sanitizeText } from '../util/text.js';

/**
 * Text for HTML element content and quoted attribute values: the five characters with a
 * meaning in HTML become character references (&amp; first), and control characters and
 * terminal escape sequences are removed.
 *
 * @example escapeHtml('<script>"x"</script>') // => '&lt;script&gt;&quot;x&quot;&lt;/script&gt;'
 */
export function escapeHtml(text: string): string {
  return sanitizeText(String(text)).replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

/** Escape text for a GitHub-flavoured Markdown table cell. */
export function mdCell(text: string): string {
  return sanitizeText(text).replace(/[\\`*_{}[\]()#+!|<>]/g, (c) => `\\${c}`);
}

/** Input-derived text for anywhere in a Markdown line: escaped, on one line. */
export function mdText(text: string): string {
  return mdCell(String(text).replace(/[\r\n\u2028\u2029]+/g, ' '));
}
