/** `fwtp plan`: predicted drops, broken sessions and table memory per candidate timeout. Wiring only. */
import type { Argv, CommandModule } from 'yargs';
import { currentOption, currentSecondsFromArgs, emit, inputOptions, printWarnings, readFromArgs, type InputArgs } from './shared.js';
import { modelOptions, planFromRead, resolveModel, type ModelArgs } from './model-options.js';
import { planCsv, planMarkdown, planTable } from '../report/plan.js';
import { openCompare } from './compare.js';

export interface PlanArgs extends InputArgs, ModelArgs {
  format?: 'table' | 'json' | 'csv' | 'md';
  interactive: boolean;
  current?: string;
}

export const planCommand: CommandModule<object, PlanArgs> = {
  command: 'plan <inputs..>',
  describe: 'Predict, per candidate timeout, dropped keep-alives, broken sessions and table entries/memory',
  builder: (y: Argv) =>
    currentOption(modelOptions(inputOptions(y)))
      .option('format', { alias: 'f', choices: ['table', 'json', 'csv', 'md'] as const, describe: 'print in this format (default: the interactive view on a terminal, else table)' })
      .option('interactive', { type: 'boolean', default: true, describe: 'open the interactive comparison on a terminal (--no-interactive prints)' })
      .option('current', { type: 'string', describe: 'firewall logs: the idle timeout in force when they were written (3600, 1h); default: the platform profile\'s value' })
      .example('$0 plan samples/oracle-pool.pcap --timeouts 3600,9000', 'the story: 1 h drops the database keep-alives, 2h30m does not')
      .example('$0 plan capture.pcap -t 300..86400 --steps 20 --platform cisco-asa --format json', 'a sweep on a Cisco ASA profile, as JSON')
      .example('$0 plan capture.pcap -t 1h --keepalive 600/75/9 --format md -o plan.md', 'what a 10-minute keep-alive would do, as Markdown') as unknown as Argv<PlanArgs>,
  handler: async (args) => {
    const { options, timeouts } = resolveModel(args);
    const currentSeconds = currentSecondsFromArgs(args);
    const { paths, result } = await readFromArgs(args, options.platform.stateTimeouts);
    printWarnings(result, args.quiet);
    // On a terminal with no --format (and no -o), the interactive comparison (fwtp compare); a
    // single conntrack listing is printed (its analysis is ages, not flows the view could show).
    if (args.format === undefined && args.output === undefined && args.interactive && process.stdout.isTTY === true && result.dumps.length === 0) {
      await openCompare({ options, timeouts, result, paths, noColorFlag: (args as { color?: boolean }).color === false });
      return;
    }
    const r = planFromRead(result, options, timeouts, currentSeconds);
    const format = args.format ?? 'table';
    const text = format === 'json' ? JSON.stringify(r, null, 2) + '\n' : format === 'csv' ? planCsv(r) : format === 'md' ? planMarkdown(r) : planTable(r);
    emit(text, args.output);
  },
};
