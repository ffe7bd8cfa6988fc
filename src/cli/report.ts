/** `fwtp report`: the change request a firewall owner can file as it is (Markdown, HTML, JSON, CSV). Wiring only. */
import type { Argv, CommandModule } from 'yargs';
import { currentOption, emit, inputOptions, printWarnings, readFromArgs, type InputArgs } from './shared.js';
import { checkListings, modelOptions, resolveModel, type ModelArgs } from './model-options.js';
import { withLogEvidence } from './log-timeout.js';
import { makePlanner } from '../model/plan.js';
import { buildChangeRequest } from '../report/build-change-request.js';
import { changeRequestCsv, changeRequestJson } from '../report/change-request-csv-json.js';
import { changeRequestMarkdown } from '../report/markdown.js';
import { changeRequestHtml } from '../report/html.js';
import { parseDuration, parseTimeouts } from '../util/duration.js';
import { usageError } from '../util/errors.js';
import { currentTimeoutSeconds } from '../model/platforms.js';
import type { PlanOptions } from '../model/plan.js';
import { loggedDropEvidence, type LoggedDropEvidence } from '../report/logged-drops.js';
import { readLinesAt } from '../read/quote-lines.js';
import type { ReadResult } from '../read/inputs.js';

type ReportFormat = 'md' | 'html' | 'json' | 'csv';

interface ReportArgs extends InputArgs, ModelArgs {
  current?: string;
  proposed?: string;
  candidates?: string;
  format?: ReportFormat;
}

function oneTimeout(flag: string, text: string): number {
  const seconds = parseDuration(String(text));
  if (!(seconds > 0)) throw usageError('CLI_INVALID_TIMEOUTS', `--${flag} must be above zero (got "${text}")`);
  return seconds;
}

/**
 * Usage errors before any input is read: CLI_REPORT_NO_PROPOSAL (neither --proposed nor
 * --service-timeout), CLI_REPORT_SAME (a global proposal equal to the current timeout).
 */
export function checkProposal(currentSeconds: number, proposedSeconds: number | null, ruleCount: number): void {
  if (proposedSeconds === null && ruleCount === 0) {
    throw usageError('CLI_REPORT_NO_PROPOSAL', 'no proposal: give --proposed SECONDS (a new global timeout) or --service-timeout ADDR:PORT=SECONDS (a timeout for one service)');
  }
  if (ruleCount === 0 && proposedSeconds === currentSeconds) {
    throw usageError('CLI_REPORT_SAME', `the proposed timeout equals the current one (${currentSeconds} s): nothing to change`);
  }
}

/** --format, else from the -o file name (.html, .json, .csv), else Markdown. */
function formatOf(args: ReportArgs): ReportFormat {
  if (args.format !== undefined) return args.format;
  const m = /\.(html?|json|csv)$/i.exec(args.output ?? '');
  if (m === null) return 'md';
  const ext = m[1]!.toLowerCase();
  return ext.startsWith('htm') ? 'html' : (ext as ReportFormat);
}

/**
 * With firewall logs among the inputs: their drops classified, the first drop lines quoted (read
 * back from the files), and the model at the current timeout beside them, every affected service
 * listed (issue 13, item 5). Null without logs or without drops in them.
 */
async function loggedDropsOf(result: ReadResult, options: PlanOptions, currentSeconds: number): Promise<LoggedDropEvidence | null> {
  const logs = result.firewallLogs ?? [];
  if (logs.length === 0) return null;
  const atCurrent = makePlanner({ flows: result.flows, distribution: result.distribution }, { ...options, affectedLimit: ALL_AFFECTED }).evaluate(currentSeconds);
  const st = options.platform.stateTimeouts;
  const timeout = {
    tcpSeconds: options.protocol === 'tcp' ? currentSeconds : st.established ?? currentSeconds,
    udpSeconds: options.protocol === 'udp' ? currentSeconds : st.udp_replied ?? 120,
    icmpSeconds: st.icmp ?? 30, source: 'the current timeout of the report', platform: options.platform.name,
  };
  const ev = loggedDropEvidence(logs, atCurrent, timeout, result.inputs.map((i) => i.path));
  if (ev === null) return null;
  for (const file of new Set(ev.quoted.map((q) => q.file))) {
    const texts = await readLinesAt(file, ev.quoted.filter((q) => q.file === file).map((q) => q.line));
    for (const q of ev.quoted) if (q.file === file) q.text = texts.get(q.line) ?? null;
  }
  return ev;
}

/** Every affected service in the prediction set against the logs (the report's own evidence keeps its top 10). */
const ALL_AFFECTED = 10_000;

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <inputs..>',
  describe: 'Write the change request for a new idle timeout: summary, comparison, impact, evidence, configuration, rollback',
  builder: (y: Argv) =>
    currentOption(modelOptions(inputOptions(y)))
      .option('proposed', { type: 'string', describe: 'the global idle timeout proposed; with --service-timeout, the proposal is per service and this becomes an alternative' })
      .option('candidates', { type: 'string', describe: 'other global timeouts to compare: a list (7200,14400) or a range LO..HI (--steps); --timeouts adds to them' })
      .option('format', { alias: 'f', choices: ['md', 'html', 'json', 'csv'] as const, describe: 'output format (default: from the -o file name, else md)' })
      .example('$0 report samples/oracle-pool.pcap --current 3600 --proposed 9000 -o change.md', 'the story as a Markdown change request')
      .example('$0 report samples/oracle-pool.pcap --current 1h --proposed 2h30m --candidates 7200,14400 -o change.html', 'a self-contained HTML report with charts, two more candidates')
      .example('$0 report samples/oracle-pool.pcap --current 3600 --service-timeout 198.51.100.24:1521=9000 --platform cisco-asa -o change.md', 'raise the timeout for the database only, with the ASA configuration lines')
      .example('$0 report capture.pcap --current 3600 --proposed 9000 --format csv', 'one CSV row per candidate') as unknown as Argv<ReportArgs>,
  handler: async (args) => {
    const { options } = resolveModel(args);
    const platform = options.platform;
    const current = args.current !== undefined ? oneTimeout('current', args.current) : null;
    const currentSeconds = current ?? currentTimeoutSeconds(platform, args.protocol);
    const proposedSeconds = args.proposed !== undefined ? oneTimeout('proposed', args.proposed) : null;
    const rules = options.rules ?? [];
    checkProposal(currentSeconds, proposedSeconds, rules.length);
    const candidateSeconds = [
      ...(args.candidates !== undefined ? parseTimeouts(String(args.candidates), args.steps) : []),
      ...(args.timeouts !== undefined ? parseTimeouts(String(args.timeouts), args.steps) : []),
    ];
    const format = formatOf(args);
    const { result } = await readFromArgs(args);
    checkListings(result, 'report', current ?? undefined);
    printWarnings(result, args.quiet);
    const data = { flows: result.flows, distribution: result.distribution };
    const report = buildChangeRequest({
      planner: makePlanner(data, { ...withLogEvidence(options, result), rules: [] }),
      servicePlanner: rules.length > 0 ? makePlanner(data, withLogEvidence(options, result)) : null,
      rules,
      platformTitle: platform.title,
      currentSeconds,
      currentSource: current !== null ? 'flag' : 'profile',
      proposedSeconds,
      candidateSeconds,
      protocol: args.protocol,
      inputs: result.inputs.map((i) => ({ path: i.path, format: i.gzip ? `${i.format} (gzip)` : i.format, packets: i.packets, truncated: i.truncated })),
      flows: result.flows.count,
      gapFloorSeconds: result.flows.gapFloorUs / 1e6,
      warnings: [...result.warnings, ...result.inputs.flatMap((i) => i.warnings.map((w) => `${i.path}: ${w}`))],
      loggedDrops: await loggedDropsOf(result, { ...withLogEvidence(options, result), rules: [] }, currentSeconds),
    });
    const text = format === 'json' ? changeRequestJson(report) : format === 'csv' ? changeRequestCsv(report) : format === 'html' ? changeRequestHtml(report) : changeRequestMarkdown(report);
    emit(text, args.output);
  },
};
