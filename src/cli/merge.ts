/**
 * `fwtp merge`: combine profiles (shards of one split, or profiles of different inputs) into one
 * (docs/PROFILE.md, docs/SCALING.md). Wiring only.
 */
import type { Argv, CommandModule } from 'yargs';
import { STDIN_SENTINEL } from './shared.js';
import { printSummary, profileSummary, writeProfile } from './extract.js';
import { decodeProfile, encodeProfile, mergeProfiles, type Profile } from '../profile/profile.js';
import { openInput, STDIN_PATH, DEFAULT_MAX_DECOMPRESSED } from '../ingest/source.js';
import { assertNotAnInput } from '../util/atomic.js';
import { usageError } from '../util/errors.js';

/** Reads one profile file (gzip or not, or - for standard input). */
export async function readProfileFile(path: string, maxDecompressedBytes = DEFAULT_MAX_DECOMPRESSED): Promise<{ name: string; profile: Profile }> {
  const input = await openInput(path, maxDecompressedBytes);
  const parts: Buffer[] = [];
  for await (const c of input.chunks) parts.push(c);
  return { name: input.name, profile: decodeProfile(input.name, Buffer.concat(parts)) };
}

interface MergeArgs {
  profiles: string[];
  output?: string;
  quiet: boolean;
  format: 'text' | 'json';
  'max-decompressed': number;
}

export const mergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <profiles..>',
  describe: 'Combine profiles from fwtp extract (the shards of one split, or profiles of different inputs) into one',
  builder: (y: Argv) =>
    y
      .positional('profiles', { describe: 'profiles written by fwtp extract or fwtp merge, or - for standard input', type: 'string', array: true, demandOption: true })
      .option('output', { alias: 'o', type: 'string', describe: 'write the merged profile to FILE (atomically); default standard output when it is not a terminal' })
      .option('format', { alias: 'f', choices: ['text', 'json'] as const, default: 'text' as const, describe: 'the summary of what was written' })
      .option('max-decompressed', { describe: 'stop reading a profile that inflates beyond this many bytes', type: 'number', default: DEFAULT_MAX_DECOMPRESSED })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no summary or warnings on stderr' })
      .example('$0 merge shard-*.fwtp -o all.fwtp', 'the shards of one split, whole again')
      .example('$0 merge monday.fwtp tuesday.fwtp -o week.fwtp', 'profiles of different captures side by side')
      .example('$0 plan all.fwtp --timeouts 3600,9000', 'plan from the merged profile') as unknown as Argv<MergeArgs>,
  handler: async (args) => {
    const paths = (args.profiles ?? []).map((p) => (p === STDIN_SENTINEL ? STDIN_PATH : String(p)));
    if (paths.length === 0) throw usageError('CLI_NO_INPUT', 'no profile given');
    if (paths.filter((p) => p === STDIN_PATH).length > 1) throw usageError('CLI_STDIN_TWICE', 'standard input (-) can be read only once');
    if (args.output !== undefined && args.output !== '-') assertNotAnInput(args.output, paths);
    const profiles: Array<{ name: string; profile: Profile }> = [];
    for (const p of paths) profiles.push(await readProfileFile(p, Number(args['max-decompressed'])));
    const merged = mergeProfiles(profiles, args.output !== undefined && args.output !== '-' ? args.output : undefined);
    if (!args.quiet) for (const w of merged.warnings) process.stderr.write(`fwtp: warning: ${w}\n`);
    const bytes = encodeProfile(merged);
    writeProfile(bytes, args.output);
    printSummary(profileSummary(merged, args.output, bytes.length), args.format, args.quiet, args.output === undefined || args.output === '-');
  },
};
