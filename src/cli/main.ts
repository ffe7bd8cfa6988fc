/**
 * The fwtp command line: one module per command, this file only assembles them and turns
 * errors into one line on stderr and an exit code (2 usage, 1 input, 70 internal).
 */
import type { CommandModule } from 'yargs';
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { FwtpError, exitCodeFor } from '../util/errors.js';
import { sanitizeText } from '../util/text.js';
import { withLazySegmenter } from './lazy-segmenter.js';

type LoadCommand = () => Promise<CommandModule>;

/**
 * Every command, in the order --help lists them, each loaded on demand: importing a command
 * pulls in its stages (the model, report renderers, ink and react for compare), which cost more
 * start-up time than a whole small read.
 */
const COMMANDS: ReadonlyArray<readonly [name: string, load: LoadCommand]> = [
  ['gaps', async () => (await import('./gaps.js')).gapsCommand as unknown as CommandModule],
  ['drops', async () => (await import('./drops.js')).dropsCommand as unknown as CommandModule],
  ['plan', async () => (await import('./plan.js')).planCommand as unknown as CommandModule],
  ['recommend', async () => (await import('./recommend.js')).recommendCommand as unknown as CommandModule],
  ['compare', async () => (await import('./compare.js')).compareCommand as unknown as CommandModule],
  ['report', async () => (await import('./report.js')).reportCommand as unknown as CommandModule],
  ['extract', async () => (await import('./extract.js')).extractCommand as unknown as CommandModule],
  ['merge', async () => (await import('./merge.js')).mergeCommand as unknown as CommandModule],
  ['batch', async () => (await import('./batch.js')).batchCommand as unknown as CommandModule],
];

/** Words after which yargs may print the whole command listing, which needs every description. */
const LISTING_WORDS = new Set(['--help', '-h', 'help', 'completion', '--get-yargs-completions']);

/**
 * The modules yargs needs for `args`. yargs runs the command whose name is a word of its own in
 * the arguments, so a command named nowhere in them can never run: it stands in by name, hidden,
 * so that strict mode, "did you mean" and the "name a command" message still see it. A help or
 * completion request loads every command, as the listing needs every description.
 */
function listingMayShow(args: readonly string[]): boolean {
  return args.some((a) => LISTING_WORDS.has(a));
}

async function commandModules(args: readonly string[]): Promise<CommandModule[]> {
  const everything = listingMayShow(args);
  return Promise.all(
    COMMANDS.map(([name, load]) => (everything || args.includes(name) ? load() : { command: name, describe: false, handler: () => undefined })),
  );
}

interface YargsInternals {
  getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } };
}

/**
 * yargs renders a command's whole help text right after starting its handler
 * (usage.cacheHelpMessage, yargs/build/lib/command.js), in case help is shown later in the run.
 * fwtp never shows help once a command runs (the .fail handler throws instead), and the
 * rendering (cliui's wrapping through string-width, ICU's segmenter) costs ~100 ms: skip it.
 */
function skipHelpAfterCommand(parser: unknown): void {
  const usage = (parser as YargsInternals).getInternalMethods?.().getUsageInstance?.();
  if (usage !== undefined && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

const EXIT_INTERNAL = 70; // EX_SOFTWARE (sysexits.h): a bug in fwtp, not in the input

/** Longest error line written (characters): messages quote file names and input excerpts. */
export const MAX_ERROR_LINE = 1000;

/**
 * An error line for the terminal (docs/ERRORS.md): input-derived text (a file name, a quoted
 * field) loses control characters and escape sequences, line breaks and tabs become spaces, and
 * a line longer than MAX_ERROR_LINE is cut in the middle, keeping its start and `tail` (the code).
 */
export function errorLine(text: string, tail = ''): string {
  const clean = sanitizeText(text).replace(/[\t\n]+/g, ' ');
  const end = tail !== '' && clean.endsWith(tail) ? tail : '';
  if (clean.length <= MAX_ERROR_LINE) return clean;
  return `${clean.slice(0, MAX_ERROR_LINE - end.length - 3)}...${end}`;
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

async function withStdinSentinel(argv: readonly string[]): Promise<string[]> {
  const { STDIN_SENTINEL } = await import('./shared.js');
  return argv.map((a) => (a === '-' ? STDIN_SENTINEL : a));
}

/**
 * V8 doubles the young generation each time a scavenge leaves it busy, up to 16 MiB per semi-space;
 * a capture read keeps few objects young (its flows live in typed arrays), so the larger young
 * generation only adds resident memory. Factor 1 keeps it at its starting size: `fwtp gaps` on the
 * 2.1 M-packet bench day, 111-115 MB peak RSS against 117-140 MB, the same wall time and output
 * (issue 15, measured six runs alternating). The flag is read when the heap grows, so setting it
 * at start-up works (unlike --max-semi-space-size, which only the command line sets).
 */
function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

export async function main(argv: string[]): Promise<void> {
  keepYoungGenerationSmall();
  const debug = argv.includes('--debug');
  // yargs drops a lone "-" from positionals (yargs#1312): swap it for a sentinel first.
  // (./shared.js holds the whole read pipeline: `fwtp --version` and `--help` do without it.)
  const args = argv.includes('-') ? await withStdinSentinel(argv) : argv;
  // A closed pipe (fwtp ... | head) is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  const { default: yargs } = await withLazySegmenter(() => import('yargs'));
  const commands = await commandModules(args);
  const parser = yargs(args)
    .scriptName('fwtp')
    .usage('$0 <command> [options]\n\nWhat happens if we change the firewall idle timeout? Reads captures, conntrack dumps,\nflow exports, profiles and firewall logs into idle-gap distributions and predicts drops, broken sessions and connection-table memory per candidate timeout.')
    .command(commands)
    .demandCommand(1, `name a command: ${COMMANDS.map(([name]) => name).join(', ')}`)
    .option('debug', { type: 'boolean', describe: 'show the stack of internal errors', default: false })
    .option('color', { type: 'boolean', describe: 'colour on a TTY (--no-color or NO_COLOR turn it off)', default: true })
    .strict()
    .recommendCommands()
    .completion('completion', 'print a shell completion script (bash/zsh)')
    .version(version())
    .alias('h', 'help')
    .alias('V', 'version')
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .epilogue('Exit codes: 0 ok, 1 unreadable or invalid input, 2 usage error. Docs: README.md and docs/.')
    .fail((msg, err) => {
      if (err) throw err;
      throw new FwtpError('CLI_USAGE', 'usage', `${msg} (see fwtp --help)`);
    });
  if (!listingMayShow(args)) skipHelpAfterCommand(parser);
  try {
    await parser.parseAsync();
  } catch (e) {
    if (e instanceof FwtpError) {
      process.stderr.write(`fwtp: ${errorLine(e.toLine(), ` [${e.code}]`)}\n`);
      if (debug && e.stack) process.stderr.write(`${sanitizeText(e.stack)}\n`);
      process.exitCode = exitCodeFor(e);
      return;
    }
    const err = e as Error;
    process.stderr.write(`fwtp: internal error: ${errorLine(String(err?.message ?? e))} (a bug in fwtp; run with --debug for the stack and report it)\n`);
    if (debug && err?.stack) process.stderr.write(`${sanitizeText(String(err.stack))}\n`);
    process.exitCode = EXIT_INTERNAL;
  }
}
