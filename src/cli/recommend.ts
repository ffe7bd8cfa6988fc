/** `fwtp recommend`: the timeout range within limits, and the keep-alive that makes a shorter one safe. Wiring only. */
import type { Argv, CommandModule } from 'yargs';
import { currentOption, emit, inputOptions, printWarnings, readFromArgs, type InputArgs } from './shared.js';
import { checkListings, modelOptions, resolveModel, type ModelArgs } from './model-options.js';
import { withLogEvidence } from './log-timeout.js';
import { plan } from '../model/plan.js';
import { platformNames } from '../model/platforms.js';
import { recommendExact } from '../model/recommend-exact.js';
import { recommendCsv, recommendMarkdown, recommendTable } from '../report/plan.js';
import { emitConfiguration, emitLines, exactText } from '../report/recommend-exact.js';
import { parseBytes } from '../util/bytes.js';
import { parseDuration } from '../util/duration.js';
import { usageError } from '../util/errors.js';
import { currentTimeoutSeconds } from '../model/platforms.js';

interface RecommendArgs extends InputArgs, ModelArgs {
  format: 'table' | 'json' | 'csv' | 'md';
  'max-broken': number;
  'max-memory'?: string;
  current?: string;
  emit?: string;
  'emit-name'?: string;
}

export const recommendCommand: CommandModule<object, RecommendArgs> = {
  command: 'recommend <inputs..>',
  describe: 'Find the timeouts that keep broken sessions and table memory within limits',
  builder: (y: Argv) =>
    currentOption(modelOptions(inputOptions(y)))
      .option('format', { alias: 'f', choices: ['table', 'json', 'csv', 'md'] as const, default: 'table' as const, describe: 'output format' })
      .option('max-broken', { type: 'number', default: 0, describe: 'most sessions allowed to lose their state while in use' })
      .option('max-memory', { type: 'string', describe: 'most table memory at peak (bytes, or 512MiB, 2GB ...)' })
      .option('emit-name', { type: 'string', default: 'fwtp', describe: 'with --emit: the name (prefix) of the objects the lines create: nft table and ct timeout objects, ASA class-map, PAN-OS/SRX/Check Point service objects' })
      .option('emit', { type: 'string', describe: `print the configuration that applies the recommendation, and its rollback, for a platform (${platformNames().join(', ')})` })
      .example('$0 recommend samples/oracle-pool.pcap --max-broken 0 --max-memory 64MiB', 'the shortest safe timeout within 64 MiB')
      .example('$0 recommend samples/oracle-pool.pcap --current 3600 --emit linux', 'the per-service fix for the broken services, as nft lines') as unknown as Argv<RecommendArgs>,
  handler: async (args) => {
    const { options, timeouts } = resolveModel(args);
    const maxBroken = Number(args['max-broken']);
    if (!Number.isInteger(maxBroken) || maxBroken < 0) throw usageError('CLI_INVALID_MAX_BROKEN', `--max-broken must be a whole number >= 0 (got ${args['max-broken']})`);
    const maxMemoryBytes = args['max-memory'] !== undefined ? parseBytes(String(args['max-memory'])) : null;
    let currentSeconds = currentTimeoutSeconds(options.platform, args.protocol);
    if (args.current !== undefined) {
      currentSeconds = parseDuration(String(args.current));
      if (!(currentSeconds > 0)) throw usageError('CLI_INVALID_TIMEOUTS', `--current must be above zero (got "${args.current}")`);
    }
    if (args.emit !== undefined && !platformNames().includes(String(args.emit))) {
      throw usageError('CLI_UNKNOWN_PLATFORM', `unknown platform "${args.emit}" for --emit: choose one of ${platformNames().join(', ')}`);
    }
    const emitName = String(args['emit-name'] ?? 'fwtp');
    if (!/^[A-Za-z][A-Za-z0-9_-]{0,31}$/.test(emitName)) {
      throw usageError('CLI_INVALID_EMIT_NAME', `--emit-name must start with a letter and hold only letters, digits, - and _ (at most 32; got "${emitName}")`);
    }
    // The memory change of every candidate is taken against the timeout in force.
    options.currentSeconds = currentSeconds;
    const { result } = await readFromArgs(args, options.platform.stateTimeouts);
    checkListings(result, 'recommend', args.current !== undefined ? currentSeconds : undefined);
    printWarnings(result, args.quiet);
    const data = { flows: result.flows, distribution: result.distribution };
    const rec = recommendExact(data, withLogEvidence(options, result), timeouts, { maxBroken, maxMemoryBytes }, currentSeconds);
    const conf = args.emit !== undefined ? emitConfiguration(rec, String(args.emit), args.protocol, emitName) : undefined;
    const base = plan(data, { ...options, timeouts: [], inputs: result.inputs.map((i) => ({ path: i.path, format: i.format })), warnings: [...result.warnings] });
    const emitted = conf === undefined ? {} : { emit: { platform: String(args.emit), configuration: conf } };
    const words = exactText(rec);
    let text = args.format === 'json' ? JSON.stringify({ schemaVersion: 1, window: base.window, platform: base.platform, keepalive: base.keepalive, ...rec, ...emitted }, null, 2) + '\n'
      : args.format === 'csv' ? recommendCsv(rec, base) : args.format === 'md' ? recommendMarkdown(rec, base, words) : recommendTable(rec, base, words);
    if (conf !== undefined && (args.format === 'table' || args.format === 'md')) {
      const lines = emitLines(conf, String(args.emit));
      text += args.format === 'md' ? `\n## Configuration (${args.emit})\n\n\`\`\`\n${lines.join('\n')}\n\`\`\`\n` : `\n${lines.join('\n')}\n`;
    }
    emit(text, args.output);
  },
};
