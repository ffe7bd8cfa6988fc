import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { render, cleanup } from 'ink-testing-library';
import { App } from '../../src/tui/App.js';
import { KEY_HELP } from '../../src/tui/keys.js';
import { STORY_META, STORY_TIMEOUTS, frameWhere, press, settled, storyStore } from './fixtures.js';

afterEach(() => cleanup());

/** Every key the view handles (src/tui/state.ts applyKey). */
const HANDLED = ['↑', '↓', '←', '→', 'home', 'end', 'a', 'd', 'p', 'P', 'k', 'K', 's', 'tab', 'shift-tab', 'e', 'enter', 'esc', '?', 'q', 'ctrl-c'];

describe('help', () => {
  it('lists every key the view handles', () => {
    const listed = KEY_HELP.flatMap((k) => k.keys.split(' '));
    expect([...listed].sort()).toEqual([...HANDLED].sort());
  });

  it('shows every key with ? at 80x24 and closes on any key', async () => {
    const { lastFrame, stdin } = render(
      <App store={storyStore()} timeouts={STORY_TIMEOUTS} meta={STORY_META} color={false} size={{ columns: 80, rows: 24 }} initialSelectedSeconds={3600} />,
    );
    await settled(lastFrame);
    await press(stdin, '?');
    const f = await frameWhere(lastFrame, (x) => x.includes('fwtp compare: keys'));
    expect(f.split('\n')).toHaveLength(23);
    for (const k of KEY_HELP) {
      const line = f.split('\n').find((l) => l.includes(` ${k.action}`) || l.includes(k.action.slice(0, 40)));
      expect(line, `help line for ${k.keys}`).toBeDefined();
      expect(line!).toContain(k.keys);
    }
    await press(stdin, 'x');
    await frameWhere(lastFrame, (x) => !x.includes('fwtp compare: keys') && x.includes('timeout'));
  });

  it('docs/COMPARE.md lists every key', () => {
    const doc = readFileSync(new URL('../../docs/COMPARE.md', import.meta.url), 'utf8');
    for (const k of KEY_HELP) expect(doc, k.keys).toContain(`| ${k.keys.split(' ').map((x) => `\`${x}\``).join(' ')} |`);
  });
});
