// The synthetic FlowSet of bench/tui-bench.mjs (the responsiveness figures in docs/COMPARE.md):
// its gap bits agree with src/flows/types.ts and the model reads the story out of it.
import { describe, expect, it } from 'vitest';
import { makeSyntheticFlowSet, packGap, ST_ESTABLISHED, ST_TIME_WAIT, ST_UDP_REPLIED, KIND_DATA, KIND_KEEPALIVE, END_OPEN, END_FIN, START_SYN, START_DATAGRAM } from '../../bench/tui-bench.mjs';
import { FlowEnd, FlowStart, PacketKind, packGapInfo, type FlowSet } from '../../src/flows/types.js';
import { FlowState } from '../../src/util/protocols.js';
import { makePlanner } from '../../src/model/plan.js';
import { getPlatform } from '../../src/model/platforms.js';
import { PlanStore } from '../../src/tui/store.js';

describe('synthetic flows for the bench', () => {
  it('uses the FlowSet constants and gap bits of src/flows/types.ts', () => {
    expect([ST_ESTABLISHED, ST_TIME_WAIT, ST_UDP_REPLIED]).toEqual([FlowState.Established, FlowState.TimeWait, FlowState.UdpReplied]);
    expect([KIND_DATA, KIND_KEEPALIVE]).toEqual([PacketKind.Data, PacketKind.KeepAliveProbe]);
    expect([END_OPEN, END_FIN, START_SYN, START_DATAGRAM]).toEqual([FlowEnd.Open, FlowEnd.Fin, FlowStart.Syn, FlowStart.Datagram]);
    for (const state of [ST_ESTABLISHED, ST_TIME_WAIT]) {
      for (const kind of [KIND_DATA, KIND_KEEPALIVE]) {
        for (const dir of [0, 1] as const) expect(packGap(state, kind, dir)).toBe(packGapInfo(state, kind, dir, false, false));
      }
    }
  });

  it('breaks, at each timeout, exactly the sessions with a longer silence; the memo answers again', () => {
    const { flows, distribution } = makeSyntheticFlowSet({ flows: 20_000 }) as unknown as { flows: FlowSet; distribution: never };
    expect(flows.count).toBe(20_000);
    const longest = (i: number): number => {
      let m = 0;
      for (let k = flows.gapOffset[i]!; k < flows.gapOffset[i + 1]!; k++) m = Math.max(m, flows.gapEndUs[k]! - flows.gapStartUs[k]!);
      return m / 1e6;
    };
    const longerThan = (t: number): number => Array.from({ length: flows.count }, (_, i) => longest(i)).filter((g) => g > t).length;
    const store = new PlanStore(makePlanner({ flows, distribution }, { platform: getPlatform('cisco-asa'), keepalive: 'linux', keepaliveSource: 'profile', protocol: 'tcp' }));
    const at3600 = store.evaluate(0, 0, 3600);
    expect(longerThan(3600)).toBeGreaterThan(100); // pool sessions idle past an hour
    expect(at3600.sessionsWithDrops).toBe(longerThan(3600));
    expect(at3600.extrapolated).toBe(false);
    expect(store.evaluate(0, 0, 9000).sessionsWithDrops).toBe(0); // keep-alives every 7200 s
    expect(store.evaluate(0, 0, 3600)).toBe(at3600);
    expect(store.stats).toEqual({ prepares: 0, evaluations: 2, hits: 1 });
  });
});
