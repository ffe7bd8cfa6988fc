import { afterEach, describe, expect, it } from 'vitest';
import { render, cleanup } from 'ink-testing-library';
import { App } from '../../src/tui/App.js';
import { makePlanner, plan } from '../../src/model/plan.js';
import { getPlatform } from '../../src/model/platforms.js';
import { planMarkdown } from '../../src/report/plan.js';
import { stepTimeout } from '../../src/tui/grid.js';
import { KEY, STORY_META, STORY_TIMEOUTS, frameWhere, press, rowLine, rowNumbers, settled, storyData, storyOptions, storyStore } from './fixtures.js';

afterEach(() => cleanup());

function open(opts: { columns?: number; rows?: number; writeReport?: (p: string, t: string) => void; platform?: string } = {}) {
  const store = storyStore(opts.platform ?? 'cisco-asa');
  const app = render(
    <App store={store} timeouts={STORY_TIMEOUTS} meta={STORY_META} color={false} size={{ columns: opts.columns ?? 100, rows: opts.rows ?? 30 }}
      initialSelectedSeconds={3600} inputPaths={['story.pcap']} writeReport={opts.writeReport} />,
  );
  return { ...app, store };
}

describe('compare view: the story', () => {
  it('shows every candidate with the hand-computed figures, current and recommended marked', async () => {
    const { lastFrame } = open();
    const f = await settled(lastFrame);
    // broken, KA drop, peak, mean, entry mem (peak), of max
    expect(rowNumbers(f, '1m')[0]).toBe('3');
    expect(rowNumbers(f, '1h')[0]).toBe('2');
    expect(rowNumbers(f, '2h30m')[0]).toBe('0');
    expect(rowNumbers(f, '1d')[0]).toBe('0');
    expect(rowNumbers(f, '1h')[2]).toBe('3');
    expect(rowNumbers(f, '1h')[4]).toBe('1.50 KiB');
    expect(rowNumbers(f, '1h')[5]).toBe('-'); // cisco-asa publishes no table maximum
    expect(rowLine(f, '1h')).toMatch(/^>C  1h /); // selected, current (cisco-asa conn 1:00:00)
    expect(rowLine(f, '2h30m')).toMatch(/^  R 2h30m /); // smallest with 0 broken
    expect(rowLine(f, '1d')).toMatch(/^    1d\* /); // extrapolated: window 12 h < 1d + 2h
    expect(f).toContain('platform cisco-asa · keep-alive linux 7200/75/9 (observed)');
    expect(f).toContain('C current 1h  R recommended 2h30m  * extrapolated  sort: timeout');
    // Details of the selection: broken by kind, the affected service as a drop log shows it.
    expect(f).toContain('1h (3600 s), current');
    expect(f).toContain('2 broken: keep-alive 2, data 0, close 0');
    // 100 columns: the pane is too narrow for the one-line form.
    expect(f).toMatch(/│tcp 198\.51\.100\.24:1521 -> 192\.0\.2\.10:\* +│\n.*│  2 sessions, keep-alive after 2h +│/);
    expect(f).toContain('idle gaps ≤ 1h: 95.7% of 46'); // 40 short gaps and 1800, 100, 80, 8 s of the 6 long ones
  });

  it('--current marks the timeout in force, not the profile\'s own (cisco-asa 1h): C on 2h30m, and on it whatever profile is tried', async () => {
    const store = storyStore('cisco-asa');
    const { lastFrame, stdin } = render(
      <App store={store} timeouts={STORY_TIMEOUTS} meta={STORY_META} color={false} size={{ columns: 100, rows: 30 }}
        initialSelectedSeconds={3600} currentSeconds={9000} inputPaths={['story.pcap']} />,
    );
    const f = await settled(lastFrame);
    expect(rowLine(f, '1h')).toMatch(/^>   1h /);
    expect(rowLine(f, '2h30m')).toMatch(/^ CR 2h30m /);
    expect(f).toContain('C current 2h30m  R recommended 2h30m');
    await press(stdin, 'p');
    const g = await frameWhere(lastFrame, (x) => x.includes('platform ') && !x.includes('platform cisco-asa') && !x.includes('evaluating'));
    expect(rowLine(g, '2h30m')).toMatch(/^ C/);
  });

  it('after a pause, the grid values left and right of the selection are evaluated ahead, so the arrows answer from the memo', async () => {
    const { lastFrame, store } = open();
    await settled(lastFrame);
    const taken = new Set(STORY_TIMEOUTS);
    const [right, left] = [stepTimeout(3600, 1, taken)!, stepTimeout(3600, -1, taken)!];
    expect([right, left]).toEqual([3800, 3500]);
    // A condition, not a fixed wait: the prefetch starts 1.5 s after the last key; the deadline only bounds a failure.
    const deadline = Date.now() + 60_000;
    while ((store.peek(0, 0, right) === undefined || store.peek(0, 0, left) === undefined) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(store.peek(0, 0, right)?.timeoutSeconds).toBe(3800);
    expect(store.peek(0, 0, left)?.timeoutSeconds).toBe(3500);
  }, 90_000);

  it('moves the selection with up/down, home/end', async () => {
    const { lastFrame, stdin } = open();
    await settled(lastFrame);
    await press(stdin, KEY.down);
    let f = await frameWhere(lastFrame, (x) => /^> R 2h30m/.test(rowLine(x, '2h30m') ?? ''));
    expect(rowLine(f, '1h')).toMatch(/^ C  1h/);
    expect(f).toContain('2h30m (9000 s), recommended');
    expect(f).toContain('no session loses its state while in use');
    await press(stdin, KEY.up, KEY.up);
    f = await frameWhere(lastFrame, (x) => /^>   1m/.test(rowLine(x, '1m') ?? ''));
    expect(f).toContain('3 broken: keep-alive 2, data 1, close 0');
    await press(stdin, KEY.end);
    await frameWhere(lastFrame, (x) => /^>   1d/.test(rowLine(x, '1d') ?? ''));
    await press(stdin, KEY.home);
    await frameWhere(lastFrame, (x) => /^>   1m/.test(rowLine(x, '1m') ?? ''));
  });

  it('moves the selected timeout along the grid with left/right', async () => {
    const { lastFrame, stdin } = open();
    await settled(lastFrame);
    await press(stdin, KEY.right);
    // 3600 -> 3800 (10^(86/24) = 3831, two significant digits): the 1h row becomes 1h3m20s.
    const f = await frameWhere(lastFrame, (x) => rowLine(x, '1h3m20s') !== null && !x.includes('evaluating'));
    expect(rowLine(f, '1h')).toBeNull();
    expect(rowLine(f, '1h3m20s')).toMatch(/^>/);
    expect(rowNumbers(f, '1h3m20s')[0]).toBe('2');
    // The current setting is no longer a candidate.
    expect(f).toContain('C current 1h (not listed: a adds it)');
    await press(stdin, KEY.left);
    await frameWhere(lastFrame, (x) => rowLine(x, '58m20s') !== null); // 3800 -> 3500
    await press(stdin, KEY.left);
    await frameWhere(lastFrame, (x) => rowLine(x, '53m20s') !== null); // 3500 -> 3200 (10^(84/24) = 3162)
  });

  it('adds a candidate typed in any duration form, and refuses a bad one', async () => {
    const { lastFrame, stdin } = open();
    await settled(lastFrame);
    await press(stdin, 'a', '1', ':', '30:00');
    expect(lastFrame()).toContain('add timeout (3600, 90s, 2h30m, 1:00:00): 1:30:00');
    await press(stdin, KEY.enter);
    let f = await frameWhere(lastFrame, (x) => rowLine(x, '1h30m') !== null && !x.includes('evaluating'));
    expect(f).toContain('added 1h30m (5400 s)');
    expect(rowLine(f, '1h30m')).toMatch(/^>   1h30m/);
    expect(rowNumbers(f, '1h30m')[0]).toBe('2'); // the 7200 s silences still exceed 5400 s
    await press(stdin, 'a', 'x', 'y', KEY.backspace, KEY.enter);
    f = await frameWhere(lastFrame, (x) => x.includes('invalid duration "x"'));
    expect(f.split('\n').filter((l) => /^║[> ][C ][R ] \S/.test(l) && !l.includes('timeout'))).toHaveLength(5);
    // Text and Enter in one chunk (typed ahead) count as well.
    await press(stdin, 'a', '90s\r');
    await frameWhere(lastFrame, (x) => x.includes('added 1m30s (90 s)'));
  });

  it('removes the selected candidate with d and keeps at least one', async () => {
    const { lastFrame, stdin } = open();
    await settled(lastFrame);
    await press(stdin, 'd');
    const f = await frameWhere(lastFrame, (x) => x.includes('removed 1h'));
    expect(rowLine(f, '1h')).toBeNull();
    expect(rowLine(f, '2h30m')).toMatch(/^>/); // the next row takes the selection
    await press(stdin, 'd', 'd', 'd');
    await frameWhere(lastFrame, (x) => x.includes('the last candidate cannot be removed'));
  });

  it('cycles the platform with p / P and the figures follow', async () => {
    const { lastFrame, stdin, store } = open();
    await settled(lastFrame);
    expect(store.platformChoices.map((c) => c.key).slice(0, 3)).toEqual(['', 'linux', 'kube-proxy']);
    await press(stdin, 'p');
    const f = await frameWhere(lastFrame, (x) => x.includes('platform linux ·') && !x.includes('evaluating'));
    // linux: 256 B per entry and a 2 MiB hash table; established 5 days.
    expect(rowNumbers(f, '1h')[4]).toBe('768 B'); // entry memory: 3 peak entries x 256 B (the 2 MiB hash table is the same for every candidate)
    expect(rowNumbers(f, '1h')[5]).toBe('0.00%'); // 3 of 262144 entries
    expect(f).toContain('C current 5d (not listed: a adds it)');
    expect(rowLine(f, '1h')).toMatch(/^>   1h/);
    // The same as the model says for linux directly.
    const oracle = makePlanner(storyData(), storyOptions('linux')).evaluate(9000);
    expect(rowNumbers(f, '2h30m')[0]).toBe(String(oracle.sessionsWithDrops));
    expect(rowNumbers(f, '2h30m')[3]).toBe(oracle.tableEntries.mean.toFixed(1));
    await press(stdin, 'P');
    const back = await frameWhere(lastFrame, (x) => x.includes('platform cisco-asa ·') && !x.includes('evaluating'));
    expect(rowNumbers(back, '1h')[4]).toBe('1.50 KiB');
    await press(stdin, 'P');
    await frameWhere(lastFrame, (x) => x.includes('platform gcp-cloud-nat ·'));
  });

  it('cycles the keep-alive profile with k / K', async () => {
    const { lastFrame, stdin, store } = open();
    await settled(lastFrame);
    expect(store.keepAliveChoices.map((c) => c.label)).toEqual([
      'linux 7200/75/9 (observed)', 'linux 7200/75/9', 'windows 7200/1/10', 'macos 7200/75/8', 'off off',
    ]);
    await press(stdin, 'k', 'k');
    const f = await frameWhere(lastFrame, (x) => x.includes('keep-alive windows 7200/1/10') && !x.includes('evaluating'));
    // Windows sends 10 probes per broken session instead of 9: 2 sessions at 1h.
    expect(rowNumbers(f, '1h')[1]).toBe('20');
    await press(stdin, 'K', 'K');
    const back = await frameWhere(lastFrame, (x) => x.includes('keep-alive linux 7200/75/9 (observed)') && !x.includes('evaluating'));
    expect(rowNumbers(back, '1h')[1]).toBe('18');
  });

  it('sorts by timeout, broken sessions and memory with s', async () => {
    const { lastFrame, stdin } = open();
    await settled(lastFrame);
    const order = (f: string): string[] => f.split('\n').map((l) => /^║[> ][C ][R ] (\S+)/.exec(l)?.[1]).filter((x): x is string => x !== undefined && x !== 'timeout');
    expect(order(lastFrame()!)).toEqual(['1m', '1h', '2h30m', '1d*']);
    await press(stdin, 's');
    let f = await frameWhere(lastFrame, (x) => x.includes('sort: broken'));
    expect(order(f)).toEqual(['2h30m', '1d*', '1h', '1m']);
    await press(stdin, 's');
    f = await frameWhere(lastFrame, (x) => x.includes('sort: memory'));
    expect(order(f)).toEqual(['1m', '1h', '2h30m', '1d*']); // equal peaks: ties by timeout
  });

  it('moves focus between panes with tab; up/down scroll the details pane', async () => {
    const { lastFrame, stdin } = open({ rows: 20, columns: 80 });
    await settled(lastFrame);
    const titleLine = (f: string): string => f.split('\n').find((l) => l.includes('1h (3600 s), current')) ?? '';
    expect(lastFrame()!.split('\n')[1]).toMatch(/^╔/); // the focused table has the double border
    expect(titleLine(lastFrame()!)).toMatch(/│$/);
    await press(stdin, KEY.tab, KEY.tab);
    let f = await frameWhere(lastFrame, (x) => /║$/.test(titleLine(x)));
    expect(f.split('\n')[1]).toMatch(/^┌/);
    expect(titleLine(f)).toMatch(/1h \(3600 s\), current \[1-7\/\d+\]/);
    await press(stdin, KEY.down);
    f = await frameWhere(lastFrame, (x) => /\[2-8\/\d+\]/.test(x));
    expect(rowLine(f, '1h')).toMatch(/^>C/); // the selection stayed
    await press(stdin, KEY.shiftTab, KEY.shiftTab);
    await frameWhere(lastFrame, (x) => /^╔/.test(x.split('\n')[1]!));
  });

  it('exports the view as Markdown by default, as plan renders it', async () => {
    const written: Array<[string, string]> = [];
    const { lastFrame, stdin } = open({ writeReport: (p, t) => written.push([p, t]) });
    await settled(lastFrame);
    await press(stdin, 'e');
    expect(lastFrame()).toContain('export format md|json|csv [md]:');
    await press(stdin, KEY.enter);
    expect(lastFrame()).toContain('export md to [fwtp-compare.md]:');
    await press(stdin, KEY.enter);
    await frameWhere(lastFrame, (x) => x.includes('wrote md report to fwtp-compare.md (4 candidates)'));
    expect(written).toHaveLength(1);
    expect(written[0]![0]).toBe('fwtp-compare.md');
    const expected = planMarkdown(plan(storyData(), { ...storyOptions(), timeouts: STORY_TIMEOUTS, inputs: STORY_META.inputs }));
    expect(written[0]![1].startsWith(expected.trimEnd())).toBe(true);
    expect(written[0]![1]).toContain('- selected: 1h (3600 s)');
    expect(written[0]![1]).toContain('- recommended (smallest candidate with 0 broken sessions): 2h30m (9000 s)');
  });

  it('exports JSON to a typed path, refuses an input as the path and an unknown format', async () => {
    const written: Array<[string, string]> = [];
    const { lastFrame, stdin } = open({ writeReport: (p, t) => written.push([p, t]) });
    await settled(lastFrame);
    await press(stdin, 'e', 'x', 'l', 's', KEY.enter);
    await frameWhere(lastFrame, (x) => x.includes('unknown format "xls": md, json or csv'));
    await press(stdin, KEY.backspace, KEY.backspace, KEY.backspace, 'json', KEY.enter, 'out.json', KEY.enter);
    await frameWhere(lastFrame, (x) => x.includes('wrote json report to out.json'));
    const r = JSON.parse(written[0]![1]);
    expect(r.schemaVersion).toBe(1);
    expect(r.platform.name).toBe('cisco-asa');
    expect(r.candidates.map((c: { timeoutSeconds: number; sessionsWithDrops: number }) => [c.timeoutSeconds, c.sessionsWithDrops])).toEqual([[60, 3], [3600, 2], [9000, 0], [86400, 0]]);
    await press(stdin, 'e', KEY.enter, 'story.pcap', KEY.enter);
    await frameWhere(lastFrame, (x) => x.includes('export failed: output story.pcap is also an input'));
    expect(written).toHaveLength(1);
    await press(stdin, 'e', KEY.esc);
    await frameWhere(lastFrame, (x) => x.includes('cancelled'));
  });

  it('fits 80x24 and 160x48: one line less than the terminal, no line wider than it', async () => {
    for (const [columns, rows] of [[80, 24], [160, 48]] as Array<[number, number]>) {
      const { lastFrame, unmount } = open({ columns, rows });
      const f = await settled(lastFrame);
      const lines = f.split('\n');
      expect(lines).toHaveLength(rows - 1);
      for (const l of lines) expect([...l].length).toBeLessThanOrEqual(columns);
      // Wide enough for the affected service on one line, as a drop log shows it.
      if (columns === 160) expect(f).toContain('tcp 198.51.100.24:1521 -> 192.0.2.10:*  2 sessions, keep-alive after 2h');
      unmount();
    }
  });

  it('treats keys that arrive in one read as separate keys', async () => {
    const { lastFrame, stdin } = open();
    await settled(lastFrame);
    stdin.write('ss'); // two sorts: by memory
    await frameWhere(lastFrame, (x) => x.includes('sort: memory'));
  });

  it('prints once without keys when not interactive', async () => {
    const { lastFrame } = render(
      <App store={storyStore()} timeouts={STORY_TIMEOUTS} meta={STORY_META} color={false} interactive={false} size={{ columns: 100 }} initialSelectedSeconds={3600} />,
    );
    const f = lastFrame()!;
    expect(f).not.toContain('evaluating');
    expect(f).not.toContain('? help');
    for (const t of ['1m', '1h', '2h30m', '1d']) expect(rowLine(f, t)).not.toBeNull();
    expect(getPlatform('cisco-asa').stateTimeouts.established).toBe(3600);
  });
});
