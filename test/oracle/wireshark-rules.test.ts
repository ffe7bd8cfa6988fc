// Checks each rule of docs/WIRESHARK-RULES.md against tshark itself: a crafted
// capture per rule (test/oracle/rule-cases.mjs) and tshark's per-frame
// tcp.stream / keep-alive / keep-alive-ACK output. The expectations are what
// tshark 4.0.17 prints; another tshark series may differ (4.2 splits streams
// on SYN after RST/FIN), so the cases run only against 4.0.x.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { craftPcap } from './pcap-craft.mjs';
import { RULE_CASES } from './rule-cases.mjs';

function tsharkVersion(): string | null {
  try {
    const out = execFileSync(process.env.TSHARK ?? 'tshark', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\n')[0] ?? null;
  } catch {
    return null;
  }
}

const version = tsharkVersion();
const is40 = version !== null && /\b4\.0\.\d+/.test(version);
if (!is40) {
  console.warn(
    version === null
      ? 'SKIP test/oracle/wireshark-rules.test.ts: tshark is not installed'
      : `SKIP test/oracle/wireshark-rules.test.ts: the rules are those of tshark 4.0.x, found "${version}"`,
  );
}

interface FrameFacts {
  streams: (number | null)[];
  keepAlive: number[];
  keepAliveAck: number[];
}

/** tshark's per-frame stream and keep-alive flags for a capture file. */
function tsharkFrames(file: string): FrameFacts {
  const out = execFileSync(
    process.env.TSHARK ?? 'tshark',
    ['-r', file, '-n', '-o', 'tcp.analyze_sequence_numbers:TRUE', '-T', 'fields', '-E', 'separator=/t',
      '-e', 'frame.number', '-e', 'tcp.stream', '-e', 'tcp.analysis.keep_alive', '-e', 'tcp.analysis.keep_alive_ack'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const facts: FrameFacts = { streams: [], keepAlive: [], keepAliveAck: [] };
  for (const line of out.split('\n')) {
    if (line === '') continue;
    const [num, stream, ka, kaAck] = line.split('\t');
    const frame = Number(num);
    facts.streams.push(stream === '' || stream === undefined ? null : Number(stream));
    if (ka) facts.keepAlive.push(frame);
    if (kaAck) facts.keepAliveAck.push(frame);
  }
  return facts;
}

describe.skipIf(!is40)('Wireshark 4.0 TCP rules (docs/WIRESHARK-RULES.md) against tshark', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fwtp-ws-rules-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const [name, c] of Object.entries(RULE_CASES)) {
    it(`${name}: ${c.rule}`, () => {
      const file = join(dir, `${name}.pcap`);
      writeFileSync(file, craftPcap(c.segments));
      expect(tsharkFrames(file)).toEqual({ streams: c.streams, keepAlive: c.keepAlive, keepAliveAck: c.keepAliveAck });
    });
  }
});
