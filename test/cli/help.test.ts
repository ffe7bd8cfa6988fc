// Help that tells the truth: every command that reads inputs lists every kind of input fwtp
// reads, from one shared text (src/cli/shared.ts INPUT_KINDS_HELP); merge, which reads only
// profiles, says so.
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../helpers/cli.js';

const INPUT_COMMANDS = ['gaps', 'plan', 'recommend', 'compare', 'report', 'extract', 'batch'];

/** Every kind, in the words a user would search the help for. */
const KINDS = [
  'pcap', 'pcapng', 'gzip', // captures
  'conntrack -L', '-o extended', '-o xml', '/proc/net/nf_conntrack', 'series of', 'conntrack -E', 'sysctl net.netfilter', // conntrack
  'Zeek conn.log', 'nfdump', 'Argus', 'CICFlowMeter', 'AWS VPC flow logs', 'CSV/TSV with --map', // flow exports
  '.fwtp', 'fwtp extract', // profiles
  'Cisco ASA/FTD', 'PAN-OS', 'FortiGate', 'Juniper SRX', 'Check Point', 'Linux kernel LOG/ulogd2', 'pf filterlog', // firewall logs
];

const help = (cmd: string): string => {
  const r = runCli([cmd, '--help']);
  expect(r.status).toBe(0);
  return r.stdout;
};
/** The shared block: its heading line and the indented lines under it (a command's own epilogue may follow). */
const inputsBlock = (text: string): string => {
  const [head = '', ...rest] = text.slice(text.indexOf('Inputs (recognised by content')).split('\n');
  const end = rest.findIndex((l) => !l.startsWith(' '));
  return [head, ...(end < 0 ? rest : rest.slice(0, end))].join('\n');
};

beforeAll(() => { ensureBuilt(); }, 600_000);

describe('--help lists every input kind', () => {
  it.each(INPUT_COMMANDS)('%s --help mentions each kind', (cmd) => {
    const text = help(cmd).replace(/[ \t]+/g, ' ');
    for (const kind of KINDS) expect(text, `${cmd} --help: ${kind}`).toContain(kind);
    expect(text).not.toMatch(/captures \(pcap, pcapng, gzip\), or - for standard input/); // the old captures-only text
  });

  it('the list is one shared text, the same in every command', () => {
    const blocks = INPUT_COMMANDS.map((c) => inputsBlock(help(c)));
    expect(blocks[0]!.length).toBeGreaterThan(100);
    for (const b of blocks) expect(b).toBe(blocks[0]);
  });

  it('merge reads profiles only, and says so', () => {
    expect(help('merge')).toMatch(/profiles written by fwtp extract or fwtp merge/);
  });
});
