/**
 * The Markdown oracle for the report tests: markdown-it (CommonMark + GFM tables) parses the
 * report, and this helper reads back its structure as plain text: headings, paragraphs, list
 * items, table cells and fenced code. Anything that became markup (raw HTML, emphasis, links,
 * images, strikethrough) is reported, since the report must contain none: all escaping
 * round-trips when the text read back equals the text meant.
 */
import MarkdownIt from 'markdown-it';

type Token = ReturnType<InstanceType<typeof MarkdownIt>['parse']>[number];

export interface MdStructure {
  headings: Array<{ level: number; text: string }>;
  paragraphs: string[];
  /** Text of each list item's paragraph, top-level and nested alike, in order. */
  items: string[];
  /** Each table: rows of cell texts, the header row first. */
  tables: string[][][];
  fences: string[];
  /** Token types that mean something turned into markup. */
  markup: string[];
  html: string;
}

const MARKUP = new Set(['html_inline', 'html_block', 'em_open', 'strong_open', 'link_open', 'image', 's_open', 'code_block']);

function inlineText(t: Token, markup: string[]): string {
  let s = '';
  for (const c of t.children ?? []) {
    if (MARKUP.has(c.type)) markup.push(`${c.type}: ${c.content || c.markup}`);
    if (c.type === 'text' || c.type === 'code_inline' || c.type === 'html_inline') s += c.content;
    else if (c.type === 'softbreak' || c.type === 'hardbreak') s += '\n';
  }
  return s;
}

export function parseMarkdown(text: string): MdStructure {
  // html: true so that raw HTML would show up as html_inline/html_block tokens instead of text.
  const md = new MarkdownIt({ html: true });
  const tokens = md.parse(text, {});
  const out: MdStructure = { headings: [], paragraphs: [], items: [], tables: [], fences: [], markup: [], html: md.render(text) };
  let listDepth = 0;
  let table: string[][] | null = null;
  let row: string[] | null = null;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (MARKUP.has(t.type)) out.markup.push(`${t.type}: ${t.content}`);
    switch (t.type) {
      case 'heading_open': out.headings.push({ level: Number(t.tag.slice(1)), text: inlineText(tokens[k + 1]!, out.markup) }); break;
      case 'bullet_list_open': case 'ordered_list_open': listDepth++; break;
      case 'bullet_list_close': case 'ordered_list_close': listDepth--; break;
      case 'paragraph_open': {
        const s = inlineText(tokens[k + 1]!, out.markup);
        (listDepth > 0 ? out.items : out.paragraphs).push(s);
        break;
      }
      case 'table_open': table = []; break;
      case 'table_close': out.tables.push(table!); table = null; break;
      case 'tr_open': row = []; break;
      case 'tr_close': table!.push(row!); row = null; break;
      case 'th_open': case 'td_open': row!.push(inlineText(tokens[k + 1]!, out.markup)); break;
      case 'fence': out.fences.push(t.content); break;
      default: break;
    }
  }
  return out;
}
