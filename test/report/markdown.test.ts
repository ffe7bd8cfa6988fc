// The Markdown change request, read back by a Markdown parser (markdown-it, the oracle): its
// structure, its tables and its prose must say exactly what the report data says, with no
// markup anywhere (escaping round-trips), for the story and for hostile labels.
import { describe, expect, it } from 'vitest';
import { changeRequestMarkdown } from '../../src/report/markdown.js';
import { HOSTILE, hostileReport, storyReport } from './fixtures.js';
import { parseMarkdown } from './mdparse.js';

describe('the oracle', () => {
  it('sees markup and broken rows when text is not escaped', () => {
    const raw = parseMarkdown(`# t\n\n| a | b |\n| --- | --- |\n| x | ${HOSTILE} |\n\n- <b>x</b> [l](u) **s**\n`);
    expect(raw.tables[0]![1]).not.toEqual(['x', HOSTILE]);
    expect(raw.markup.map((m) => m.split(':')[0]).sort()).toEqual(['html_inline', 'html_inline', 'html_inline', 'html_inline', 'link_open', 'strong_open']);
    // The unescaped | split the cell: "*x* =cmd()" went into a third cell, which GFM drops.
    expect(raw.tables[0]![1]).toEqual(['x', '<script>alert(1)</script>']);
  });
});

describe('the story report in Markdown', async () => {
  const r = await storyReport();
  const text = changeRequestMarkdown(r);
  const md = parseMarkdown(text);

  it('parses with no markup: nothing became HTML, emphasis or a link', () => {
    expect(md.markup).toEqual([]);
    expect(md.html).not.toMatch(/<(script|em|strong|a|img)\b/);
  });

  it('has the sections of a change request', () => {
    expect(md.headings).toEqual([
      { level: 1, text: 'Change request: raise the TCP established idle timeout on linux from 1h to 2h30m' },
      { level: 2, text: 'Summary' },
      { level: 2, text: 'Current against proposed' },
      { level: 2, text: 'Impact' },
      { level: 2, text: 'Per service' },
      { level: 2, text: 'Evidence' },
      { level: 2, text: 'Data coverage' },
      { level: 2, text: 'Assumptions' },
      { level: 2, text: 'Configuration' },
      { level: 3, text: 'Apply: Linux conntrack, global' },
      { level: 3, text: 'Rollback: restore the current value' },
      { level: 2, text: 'Risks' },
      { level: 2, text: 'What to watch after the change' },
    ]);
  });

  it('states the plan figures in the comparison and impact tables', () => {
    const [compare, impact, services, evidence] = md.tables as [string[][], string[][], string[][], string[][]];
    expect(compare.slice(1)).toEqual([
      ['current', '1h (3600 s)', 'global', '15', '135', '14/1/0', '4.2', '22', '1', '5.50 KiB', '0 B / 0 B', '<0.01%', '-'],
      ['proposed', '2h30m (9000 s)', 'global', '0', '0', '0/0/0', '16.4', '22', '15', '5.50 KiB', '+3.04 KiB / 0 B', '<0.01%', '1.20'],
    ]);
    expect(compare.every((row) => row.length === 13)).toBe(true);
    // Entry memory apart from the fixed cost (2 MiB of Linux hash buckets), with its change.
    expect(impact.find((row) => row[0] === 'entry memory, mean (entries x bytes per entry)')).toEqual(['entry memory, mean (entries x bytes per entry)', '1.05 KiB', '4.09 KiB', '+3.04 KiB']);
    expect(impact.find((row) => row[0] === 'table fixed cost (whatever the entries)')).toEqual(['table fixed cost (whatever the entries)', '2.00 MiB', '2.00 MiB', '0 B']);
    // Per service: the database's sessions are kept by the proposal.
    expect(services.slice(1)).toEqual([
      ['tcp 203.0.113.5:443', '32', '0', '0', '0.11', '0.11', '512 B', '512 B'],
      ['udp 192.0.2.53:53', '24', '0', '0', '0.08', '0.08', '256 B', '256 B'],
      ['tcp 198.51.100.24:1521', '24', '15', '0', '4.01', '16.18', '5.00 KiB', '5.00 KiB'],
    ]);
    expect(impact.slice(1, 4)).toEqual([
      ['sessions that lose their state while in use', '15', '0', '-15'],
      ['first dropped packet keep-alive/data/close', '14/1/0', '0/0/0', ''],
      ['keep-alive probes dropped', '135', '0', '-135'],
    ]);
    expect(impact.find((row) => row[0] === 'table entries, mean')).toEqual(['table entries, mean', '4.2', '16.4', '+12.2']);
    expect(impact.find((row) => row[0] === 'entries kept for good, per hour')).toEqual(['entries kept for good, per hour', '-', '1.20', '']);
    expect(evidence.slice(1)).toEqual([
      ['tcp', '198.51.100.24:1521 -> 192.0.2.10:*', '14', 'keep-alive', '2h'],
      ['tcp', '192.0.2.10:* -> 198.51.100.24:1521', '1', 'data', '1h32m40s'],
    ]);
    expect(md.paragraphs).toContain('15 sessions no longer broken, 135 keep-alive probes no longer dropped.');
  });

  it('reads back the summary, lists and configuration exactly', () => {
    expect(md.paragraphs[1]).toBe(r.summary);
    for (const x of [...r.assumptions, ...r.risks, ...r.watch]) expect(md.items).toContain(x);
    expect(md.items).toContain('Input: samples/oracle-pool.pcap (pcap, 1479 packets)');
    expect(md.items).toContain('observed from 198.51.100.24:1521: 50 probes, idle 2h24ms');
    expect(md.fences).toEqual(['sysctl -w net.netfilter.nf_conntrack_tcp_timeout_established=9000\n', 'sysctl -w net.netfilter.nf_conntrack_tcp_timeout_established=3600\n']);
  });

  it('a per-service proposal carries the nftables lines as one code block', async () => {
    const svc = await storyReport({ rules: ['198.51.100.24:1521=9000'], proposed: null });
    const m = parseMarkdown(changeRequestMarkdown(svc));
    expect(m.markup).toEqual([]);
    expect(m.fences[0]).toBe(`${svc.configuration.apply.lines.join('\n')}\n`);
    expect(m.tables[0]![2]!.slice(0, 4)).toEqual(['proposed', '1h (3600 s)', 'global 1h + per-service: 198.51.100.24:1521=9000', '0']);
  });
});

describe('hostile labels in Markdown', () => {
  const r = hostileReport();
  const md = parseMarkdown(changeRequestMarkdown(r));

  it('turn into no markup and read back as written', () => {
    expect(md.markup).toEqual([]);
    expect(md.html).not.toMatch(/<script/i);
    expect(md.headings[0]!.text).toBe(r.title);
    expect(md.paragraphs[1]).toBe(r.summary);
    expect(md.items).toContain(`Input: /tmp/${HOSTILE}.pcap (pcap, 10 packets)`);
    expect(md.items).toContain(`Warning: input warning ${HOSTILE}`);
    expect(md.items).toContain(`observed from ${HOSTILE}:1521: 3 probes, idle 2h`);
    const evidence = md.tables[2]!;
    expect(evidence[1]).toEqual(['=cmd()', `${HOSTILE} -> 192.0.2.10:*`, '3', 'keep-alive', '2h']);
  });

  it('line breaks in input text stay inside their line', () => {
    const broken = { ...r, coverage: { ...r.coverage, inputs: [{ path: 'a\n| x | y |\n# heading', format: 'pcap' }] } };
    const m = parseMarkdown(changeRequestMarkdown(broken));
    expect(m.items).toContain('Input: a | x | y | # heading (pcap)');
    expect(m.headings.map((h) => h.text)).not.toContain('heading');
  });
});
