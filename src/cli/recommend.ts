/** `fwtp recommend`: the timeout range within limits, and the keep-alive that makes a shorter one safe. Wiring only. */
import type { Argv, CommandModule } from 'yargs';
import { emit, inputOptions, printWarnings, readFromArgs, type InputArgs } from './shared.js';
import { modelOptions, resolveModel, type ModelArgs } from './model-options.js';
import { makePlanner, plan } from '../model/plan.js';
import { recommend } from '../model/recommend.js';
import { recommendCsv, recommendMarkdown, recommendTable } from '../report/plan.js';
import { parseBytes } from '../util/bytes.js';
import { usageError } from '../util/errors.js';

interface RecommendArgs extends InputArgs, ModelArgs {
  format: 'table' | 'json' | 'csv' | 'md';
  'max-broken': number;
  'max-memory'?: string;
}

export const recommendCommand: CommandModule<object, RecommendArgs> = {
  command: 'recommend <inputs..>',
  describe: 'Find the timeouts that keep broken sessions and table memory within limits',
  builder: (y: Argv) =>
    modelOptions(inputOptions(y))
      .option('format', { alias: 'f', choices: ['table', 'json', 'csv', 'md'] as const, default: 'table' as const, describe: 'output format' })
      .option('max-broken', { type: 'number', default: 0, describe: 'most sessions allowed to lose their state while in use' })
      .option('max-memory', { type: 'string', describe: 'most table memory at peak (bytes, or 512MiB, 2GB ...)' })
      .example('$0 recommend samples/oracle-pool.pcap --max-broken 0 --max-memory 64MiB', 'the shortest safe timeout within 64 MiB') as unknown as Argv<RecommendArgs>,
  handler: async (args) => {
    const { options, timeouts } = resolveModel(args);
    const maxBroken = Number(args['max-broken']);
    if (!Number.isInteger(maxBroken) || maxBroken < 0) throw usageError('CLI_INVALID_MAX_BROKEN', `--max-broken must be a whole number >= 0 (got ${args['max-broken']})`);
    const maxMemoryBytes = args['max-memory'] !== undefined ? parseBytes(String(args['max-memory'])) : null;
    const { result } = await readFromArgs(args, options.platform.stateTimeouts);
    printWarnings(result, args.quiet);
    const data = { flows: result.flows, distribution: result.distribution };
    const rec = recommend(makePlanner(data, options), timeouts, { maxBroken, maxMemoryBytes });
    const base = plan(data, { ...options, timeouts: [], inputs: result.inputs.map((i) => ({ path: i.path, format: i.format })), warnings: [...result.warnings] });
    const text = args.format === 'json' ? JSON.stringify({ schemaVersion: 1, window: base.window, platform: base.platform, keepalive: base.keepalive, ...rec }, null, 2) + '\n'
      : args.format === 'csv' ? recommendCsv(rec, base) : args.format === 'md' ? recommendMarkdown(rec, base) : recommendTable(rec, base);
    emit(text, args.output);
  },
};
