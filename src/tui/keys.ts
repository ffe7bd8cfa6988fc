/**
 * Every key of the comparison view, in the order the help shows them. The help pane and
 * docs/COMPARE.md list these; test/tui/help.test.tsx checks both.
 */
export interface KeyHelp {
  keys: string;
  action: string;
}

export const KEY_HELP: readonly KeyHelp[] = [
  { keys: '↑ ↓', action: 'select a candidate (details pane focused: scroll it)' },
  { keys: '← →', action: 'move the selected timeout one grid step (24 per decade, ~10 %)' },
  { keys: 'home end', action: 'first / last candidate' },
  { keys: 'a', action: 'add a candidate: 3600, 90s, 2h30m, 1:00:00 ...' },
  { keys: 'd', action: 'remove the selected candidate' },
  { keys: 'p P', action: 'next / previous platform profile' },
  { keys: 'k K', action: 'next / previous keep-alive profile' },
  { keys: 's', action: 'sort by timeout, broken sessions, peak memory' },
  { keys: 'tab shift-tab', action: 'move between panes: table, chart, details' },
  { keys: 'e', action: 'export the view: format md|json|csv, then path' },
  { keys: 'enter esc', action: 'confirm / cancel a prompt' },
  { keys: '?', action: 'show / hide this help' },
  { keys: 'q ctrl-c', action: 'quit' },
];

/** The reminder at the bottom of the view, most useful first; `? help  q quit` always shows. */
const HINTS = ['↑↓ select', '←→ move', 'a add', 'd del', 'p platform', 'k keep-alive', 'e export', 's sort', 'tab pane'];
const ALWAYS = '? help  q quit';

/** The reminder for a width: as many hints as fit, then `? help  q quit`. */
export function keyHint(width: number): string {
  let out = '';
  for (const h of HINTS) {
    const next = out === '' ? h : `${out}  ${h}`;
    if (next.length + 2 + ALWAYS.length > width) break;
    out = next;
  }
  return out === '' ? ALWAYS : `${out}  ${ALWAYS}`;
}
