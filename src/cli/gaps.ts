/** `fwtp gaps`: flows and their idle-gap distribution. Wiring only. */
import type { Argv, CommandModule } from 'yargs';
import { currentOption, currentSecondsFromArgs, emit, inputOptions, printWarnings, readFromArgs, type InputArgs } from './shared.js';
import { listingTimeoutsInForce, summariseListingAges } from '../flows/listing-ages.js';
import { buildGapsDocument, gapsCsv, gapsTable } from '../report/gaps.js';
import type { GroupBy } from '../flows/summary.js';

interface GapsArgs extends InputArgs {
  format: 'table' | 'json' | 'csv';
  by: GroupBy;
  top: number;
  current?: string;
}

export const gapsCommand: CommandModule<object, GapsArgs> = {
  command: 'gaps <inputs..>',
  describe: 'Read the inputs into flows and show their idle-gap distribution and keep-alives (a conntrack listing: its entries by state and idle ages)',
  builder: (y: Argv) =>
    currentOption(inputOptions(y))
      .option('format', { alias: 'f', choices: ['table', 'json', 'csv'] as const, default: 'table' as const, describe: 'output format' })
      .option('by', { choices: ['flow', 'pair', 'service'] as const, default: 'service' as const, describe: 'group flows by flow, address pair, or service (server address and port)' })
      .option('top', { type: 'number', default: 20, describe: 'rows in the group and longest-gap tables' })
      .example('$0 gaps samples/oracle-pool.pcap', 'idle gaps and keep-alives of the sample, by service')
      .example('$0 gaps day1.pcap.gz day2.pcap --by pair --format json > gaps.json', 'two captures as one, as JSON')
      .example('tcpdump -w - -i eth0 port 1521 | $0 gaps -', 'read a capture from standard input') as unknown as Argv<GapsArgs>,
  handler: async (args) => {
    const currentSeconds = currentSecondsFromArgs(args);
    const { result } = await readFromArgs(args);
    // A single listing's ages count from the timeout in force: from a sysctl input or --current, never a default.
    const listings = result.dumps.map((d) => summariseListingAges(d, listingTimeoutsInForce(d.name, result.sysctl, currentSeconds, d.snapshots[d.snapshots.length - 1])));
    printWarnings(result, args.quiet);
    const doc = buildGapsDocument(result, args.by, args.top, listings);
    const text = args.format === 'json' ? JSON.stringify(doc, null, 2) + '\n' : args.format === 'csv' ? gapsCsv(doc) : gapsTable(doc);
    emit(text, args.output);
  },
};
