// Colour on and off: chalk decides its level when first imported, so it is forced on here
// before Ink loads; the view must then add colour only when told to (NO_COLOR, --no-color).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ReactElement } from 'react';
import { STORY_META, STORY_TIMEOUTS, press, settled, storyStore } from './fixtures.js';

// SGR foreground/background colours (30-37, 38, 40-47, 48, 90-97, 100-107).
// eslint-disable-next-line no-control-regex -- the escape/NUL bytes are what the test checks
const COLOUR_SGR = /\u001B\[(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])[;m]/;

let render: (tree: ReactElement) => { lastFrame: () => string | undefined; stdin: { write: (s: string) => void }; unmount: () => void };
let cleanup: () => void;
let App: typeof import('../../src/tui/App.js').App;

beforeAll(async () => {
  process.env.FORCE_COLOR = '1';
  ({ render, cleanup } = await import('ink-testing-library'));
  ({ App } = await import('../../src/tui/App.js'));
});
afterEach(() => cleanup());

describe('colour', () => {
  it('uses colour props when allowed', async () => {
    const { lastFrame } = render(<App store={storyStore()} timeouts={STORY_TIMEOUTS} meta={STORY_META} color size={{ columns: 100, rows: 30 }} />);
    expect(await settled(lastFrame)).toMatch(COLOUR_SGR);
  });

  it('uses none without colour, in every pane and prompt', async () => {
    const { lastFrame, stdin } = render(<App store={storyStore()} timeouts={STORY_TIMEOUTS} meta={STORY_META} color={false} size={{ columns: 100, rows: 30 }} />);
    expect(await settled(lastFrame)).not.toMatch(COLOUR_SGR);
    await press(stdin, '\t', 'a', 'x', '\r');
    expect(lastFrame()).toContain('invalid duration');
    expect(lastFrame()).not.toMatch(COLOUR_SGR);
    await press(stdin, 'e');
    expect(lastFrame()).not.toMatch(COLOUR_SGR);
    await press(stdin, '\u001B');
    await new Promise((r) => setTimeout(r, 150));
    await press(stdin, '?');
    expect(lastFrame()).toContain('fwtp compare: keys');
    expect(lastFrame()).not.toMatch(COLOUR_SGR);
  });
});
