/**
 * The fwtp command line: one module per command, this file only assembles them and turns
 * errors into one line on stderr and an exit code (2 usage, 1 input, 70 internal).
 */
import yargs from 'yargs';
import type { CommandModule } from 'yargs';
import { readFileSync } from 'node:fs';
import { FwtpError, exitCodeFor } from '../util/errors.js';
import { sanitizeText } from '../util/text.js';
import { STDIN_SENTINEL } from './shared.js';
import { gapsCommand } from './gaps.js';
import { planCommand } from './plan.js';
import { recommendCommand } from './recommend.js';
import { compareCommand } from './compare.js';
import { reportCommand } from './report.js';
import { extractCommand } from './extract.js';
import { mergeCommand } from './merge.js';
import { batchCommand } from './batch.js';
import { dropsCommand } from './drops.js';

/** Every command, in the order --help lists them. */
const COMMANDS = [gapsCommand, dropsCommand, planCommand, recommendCommand, compareCommand, reportCommand, extractCommand, mergeCommand, batchCommand] as const;

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

export async function main(argv: string[]): Promise<void> {
  const debug = argv.includes('--debug');
  // yargs drops a lone "-" from positionals (yargs#1312): swap it for a sentinel first.
  const args = argv.map((a) => (a === '-' ? STDIN_SENTINEL : a));
  // A closed pipe (fwtp ... | head) is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  const parser = yargs(args)
    .scriptName('fwtp')
    .usage('$0 <command> [options]\n\nWhat happens if we change the firewall idle timeout? Reads captures, conntrack dumps,\nflow exports, profiles and firewall logs into idle-gap distributions and predicts drops, broken sessions and connection-table memory per candidate timeout.')
    .command(COMMANDS as unknown as CommandModule[])
    .demandCommand(1, `name a command: ${COMMANDS.map((c) => String(c.command).split(' ')[0]).join(', ')}`)
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
