/**
 * `fwtp compare`: the candidate timeouts side by side in a terminal view (src/tui/App.tsx),
 * printed once as text when stdout is not a terminal. Wiring only; `fwtp plan` opens the same
 * view on a terminal (openCompare).
 */
import { openSync, closeSync, writeSync } from 'node:fs';
import { ReadStream, isatty } from 'node:tty';
import type { Argv, CommandModule } from 'yargs';
import { currentOption, currentSecondsFromArgs, emit, inputOptions, printWarnings, readFromArgs, type InputArgs } from './shared.js';
import { checkListings, modelOptions, resolveModel, type ModelArgs } from './model-options.js';
import { makePlanner, type PlanOptions } from '../model/plan.js';
import type { ReadResult } from '../read/inputs.js';
import { STDIN_PATH } from '../ingest/source.js';
import { colorEnabled } from '../util/text.js';
import type { CompareAppProps } from '../tui/App.js';
import { currentTimeoutSeconds } from '../model/platforms.js';

export interface CompareArgs extends InputArgs, ModelArgs {
  /** Global --color / --no-color (main.ts). */
  color?: boolean;
  current?: string;
}

// Alternate screen (xterm private mode 1049) so that quitting leaves the shell as it was.
const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H';
const LEAVE_ALT_SCREEN = '\x1b[?1049l';
const SHOW_CURSOR = '\x1b[?25h';
const CLEAR_SCREEN = '\x1b[2J\x1b[H';

/** Width for printing when stdout is not a terminal: COLUMNS if set, else 100. */
function printColumns(): number {
  if (process.stdout.isTTY === true && process.stdout.columns > 0) return process.stdout.columns;
  const env = Number(process.env.COLUMNS);
  return Number.isInteger(env) && env >= 40 ? env : 100;
}

/** Keys come from stdin unless stdin is the capture (or not a terminal): then from /dev/tty, or null. */
function openKeys(paths: readonly string[]): { stream: NodeJS.ReadStream; close: () => void } | null {
  if (!paths.includes(STDIN_PATH) && process.stdin.isTTY === true) return { stream: process.stdin, close: () => undefined };
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r');
  } catch {
    return null;
  }
  if (!isatty(fd)) {
    closeSync(fd);
    return null;
  }
  const stream = new ReadStream(fd);
  return { stream: stream as unknown as NodeJS.ReadStream, close: () => stream.destroy() };
}

export interface OpenCompareOptions {
  options: PlanOptions;
  timeouts: number[];
  result: ReadResult;
  paths: string[];
  /** --no-color given. */
  noColorFlag: boolean;
  /** -o FILE: print the view there instead of opening it. */
  output?: string;
}

/** Opens the view on a terminal, or prints it once (stdout not a terminal, -o FILE, no terminal for keys). */
export async function openCompare(o: OpenCompareOptions): Promise<void> {
  // React's development build checks every element and costs most of a frame: unless the user
  // chose a mode, load the production build. Hence the view is imported here, not at the top
  // (which also keeps React and Ink out of the other commands' start-up).
  process.env.NODE_ENV ??= 'production';
  const [{ createElement }, { render, renderToString }, { App, PREFETCH_MAX_FLOWS }, { PlanStore }] = await Promise.all([
    import('react'), import('ink'), import('../tui/App.js'), import('../tui/store.js'),
  ]);
  const data = { flows: o.result.flows, distribution: o.result.distribution };
  const planner = makePlanner(data, o.options);
  const store = new PlanStore(planner, { maxPlanners: data.flows.count > PREFETCH_MAX_FLOWS ? 2 : 6 });
  const current = o.options.currentSeconds ?? currentTimeoutSeconds(planner.platform, o.options.protocol);
  const props: CompareAppProps = {
    store,
    timeouts: o.timeouts,
    meta: {
      inputs: o.result.inputs.map((i) => ({ path: i.path, format: i.format })),
      flows: data.flows.count,
      protocol: o.options.protocol,
      warnings: [...o.result.warnings],
    },
    color: false,
    inputPaths: o.paths,
    initialSelectedSeconds: o.timeouts.includes(current) ? current : o.timeouts[0],
    ...(o.options.currentSeconds !== undefined ? { currentSeconds: o.options.currentSeconds } : {}),
  };

  const print = (): void => {
    const columns = printColumns();
    const text = renderToString(createElement(App, { ...props, interactive: false, size: { columns } }), { columns });
    emit(text.trimEnd() + '\n', o.output);
  };
  if ((o.output !== undefined && o.output !== '-') || process.stdout.isTTY !== true) {
    print();
    return;
  }
  const keys = openKeys(o.paths);
  if (keys === null) {
    process.stderr.write('fwtp: no terminal to read keys from (standard input is the capture and /dev/tty cannot be opened): printing the view instead\n');
    print();
    return;
  }

  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    try { writeSync(1, LEAVE_ALT_SCREEN + SHOW_CURSOR); } catch { /* stdout gone */ }
  };
  // Ink redraws relative to its last frame; after a resize the old frame may have been reflowed, so start clean.
  // Registered before render() so that it runs before Ink's own resize handler.
  const onResize = (): void => { process.stdout.write(CLEAR_SCREEN); };
  process.on('exit', restore);
  process.stdout.on('resize', onResize);
  process.stdout.write(ENTER_ALT_SCREEN);
  try {
    const instance = render(createElement(App, { ...props, color: colorEnabled(process.stdout, o.noColorFlag) }), { stdin: keys.stream, exitOnCtrlC: true });
    await instance.waitUntilExit();
  } finally {
    process.stdout.off('resize', onResize);
    keys.close();
    restore();
    process.off('exit', restore);
  }
}

export const compareCommand: CommandModule<object, CompareArgs> = {
  command: 'compare <inputs..>',
  describe: 'Compare candidate timeouts in an interactive view (printed once when stdout is not a terminal)',
  builder: (y: Argv) =>
    currentOption(modelOptions(inputOptions(y)))
      .example('$0 compare samples/oracle-pool.pcap --platform cisco-asa', 'the story: which timeout between 1 h and a day stops the broken sessions, at what memory')
      .example('$0 compare capture.pcap -t 1h,2h30m,1d --keepalive off', 'three candidates, endpoints without keep-alive')
      .example('tcpdump -r big.pcap -w - | $0 compare -', 'a capture on standard input: keys are read from /dev/tty')
      .example('$0 compare capture.pcap > view.txt', 'not a terminal: the view is printed once as text') as unknown as Argv<CompareArgs>,
  handler: async (args) => {
    const { options, timeouts } = resolveModel(args);
    const givenCurrent = currentSecondsFromArgs(args);
    if (givenCurrent !== undefined) options.currentSeconds = givenCurrent;
    const { paths, result } = await readFromArgs(args);
    checkListings(result, 'compare', givenCurrent);
    printWarnings(result, args.quiet);
    await openCompare({ options, timeouts, result, paths, noColorFlag: args.color === false, output: args.output });
  },
};
