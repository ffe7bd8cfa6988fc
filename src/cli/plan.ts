/** `fwtp plan`: predicted drops, broken sessions and table entries/memory per candidate timeout. Wiring only. */
import type { Argv, CommandModule } from 'yargs';
import { currentOption, currentSecondsFromArgs, emit, inputOptions, printWarnings, readFromArgs, type InputArgs } from './shared.js';
import { currentTimeoutSeconds } from '../model/platforms.js';
import { modelOptions, planFromRead, resolveModel, type ModelArgs } from './model-options.js';
import { autoCandidates } from '../model/auto-candidates.js';
import { planCsv, planMarkdown, planTable } from '../report/plan.js';
import { planServicesCsv } from '../report/plan-services.js';
import { usageError } from '../util/errors.js';
import { openCompare } from './compare.js';

/** Steps at or below the default grid's lower end (5 min) are not auto candidates: not a global timeout anyone sets. */
const AUTO_FROM_SECONDS = 300;

export interface PlanArgs extends InputArgs, ModelArgs {
  format?: 'table' | 'json' | 'csv' | 'md';
  interactive: boolean;
  current?: string;
  'per-service': boolean;
  services: number;
}

export const planCommand: CommandModule<object, PlanArgs> = {
  command: 'plan <inputs..>',
  describe: 'Predict, per candidate timeout, dropped keep-alives, broken sessions and table entries/memory',
  builder: (y: Argv) =>
    currentOption(modelOptions(inputOptions(y)))
      .option('format', { alias: 'f', choices: ['table', 'json', 'csv', 'md'] as const, describe: 'print in this format (default: the interactive view on a terminal, else table)' })
      .option('interactive', { type: 'boolean', default: true, describe: 'open the interactive comparison on a terminal (--no-interactive prints)' })
      .option('timeouts', { alias: 't', type: 'string', describe: 'candidate timeouts: auto (the data\'s own thresholds, see below), a list (3600,7200,9000; 90s, 60m, 2h30m, 1:00:00) or a range LO..HI on a log grid (default 5m..1d plus the platform\'s current value)' })
      .option('per-service', { type: 'boolean', default: false, describe: 'with --format csv: one row per candidate and service (the services with the most sessions) instead of one per candidate' })
      .option('services', { type: 'number', default: 10, describe: 'per-service figures for this many services, the most sessions first (0: none; each adds a little to every candidate)' })
      .epilog('--timeouts auto: the candidates are the data\'s own steps (the gaps and keep-alive idles where broken sessions change), each as the value to set just above it ' +
        '(the step plus the platform\'s timer margin, whole seconds up, as recommend proposes it; at most --steps of them, the largest changes first; steps at or below 5 min left out), and the current timeout.')
      .example('$0 plan samples/oracle-pool.pcap --timeouts 3600,9000', 'the story: 1 h drops the database keep-alives, 2h30m does not')
      .example('$0 plan samples/oracle-pool.pcap --timeouts auto --current 3600', 'the thresholds from the data (just above the 2 h keep-alive idle ...) and today\'s 1 h')
      .example('$0 plan capture.pcap -t 300..86400 --steps 20 --platform cisco-asa --format json', 'a sweep on a Cisco ASA profile, as JSON')
      .example('$0 plan capture.pcap -t 1h --keepalive 600/75/9 --format md -o plan.md', 'what a 10-minute keep-alive would do, as Markdown') as unknown as Argv<PlanArgs>,
  handler: async (args) => {
    const auto = args.timeouts !== undefined && String(args.timeouts).trim().toLowerCase() === 'auto';
    const { options, timeouts: given } = resolveModel(auto ? { ...args, timeouts: undefined } : args);
    const givenCurrent = currentSecondsFromArgs(args);
    const currentSeconds = givenCurrent ?? currentTimeoutSeconds(options.platform, args.protocol);
    options.currentSeconds = currentSeconds;
    const services = Number(args.services);
    if (!Number.isInteger(services) || services < 0) throw usageError('CLI_INVALID_SERVICES', `--services must be a whole number >= 0 (got ${args.services})`);
    options.serviceLimit = services;
    const { paths, result } = await readFromArgs(args, options.platform.stateTimeouts);
    printWarnings(result, args.quiet);
    const found = auto ? autoCandidates({ flows: result.flows, distribution: result.distribution }, options, currentSeconds, args.steps, AUTO_FROM_SECONDS) : undefined;
    const timeouts = found?.timeouts ?? given;
    // On a terminal with no --format (and no -o), the interactive comparison (fwtp compare); a
    // single conntrack listing is printed (its analysis is ages, not flows the view could show).
    if (args.format === undefined && args.output === undefined && args.interactive && process.stdout.isTTY === true && result.dumps.length === 0) {
      await openCompare({ options, timeouts, result, paths, noColorFlag: (args as { color?: boolean }).color === false });
      return;
    }
    const r = planFromRead(result, options, timeouts, givenCurrent);
    if (found !== undefined) r.auto = found;
    const format = args.format ?? 'table';
    const text = format === 'json' ? JSON.stringify(r, null, 2) + '\n' : format === 'csv' ? (args['per-service'] ? planServicesCsv(r) : planCsv(r)) : format === 'md' ? planMarkdown(r) : planTable(r);
    emit(text, args.output);
  },
};
