// Responsiveness of `fwtp compare` (docs/COMPARE.md, "Responsiveness"): a synthetic FlowSet of
// N flows shaped like the story (a database pool kept open by keep-alives after 2 h idle, many
// short HTTPS sessions, DNS), then the time the view needs for what a key asks:
//   - model: preparing a planner (a new profile), evaluating a candidate, a memo hit;
//   - keys, through Ink (ink-testing-library, unthrottled): the time from a key to its frame,
//     and from the key to the frame that has the new figures.
// Run: npx tsc -p tsconfig.json && node bench/tui-bench.mjs [flows=100000]
// The generator is exported for test/tui (no dist/ needed for it).
import { pathToFileURL } from 'node:url';

// src/flows/types.ts, repeated so that the generator needs nothing built: gap info bits
// (state 0-3, packet kind 4-6, direction 7) and the enum values used here. test/tui/bench.test.ts
// checks them against packGapInfo.
export const ST_ESTABLISHED = 2, ST_TIME_WAIT = 6, ST_UDP_REPLIED = 9;
export const KIND_DATA = 0, KIND_KEEPALIVE = 1;
export const END_OPEN = 0, END_FIN = 1;
export const START_SYN = 0, START_DATAGRAM = 2;
export function packGap(state, kind, dir) {
  return (state & 0xf) | (kind << 4) | (dir ? 0x80 : 0);
}

/** Deterministic PRNG (mulberry32). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A FlowSet of `flows` flows over a 27-hour window and its gap distribution:
 * - 2 % pooled database sessions 192.0.2.10:* -> 198.51.100.24:1521, open all along: bursts of
 *   queries, idle spells of 1 min .. 4 h; a spell past 7200 s is broken by the server's Linux
 *   keep-alive (a probe every 7200 s of silence, answered at once);
 * - 88 % HTTPS sessions to 203.0.113.5:443 of 0.1 s .. 10 min with 0..3 gaps of 1..300 s, closed by FIN;
 * - 10 % DNS exchanges (UDP) to 192.0.2.53:53, open at the end (a datagram flow has no close).
 * Gaps below 1 s (the gap floor) are only counted in the distribution (4 per flow).
 */
export function makeSyntheticFlowSet({ flows = 100_000, seed = 7 } = {}) {
  const rnd = prng(seed);
  const n = flows;
  const windowStartUs = Date.UTC(2026, 10, 2, 0, 0, 0) * 1000;
  const windowUs = 27 * 3600e6;
  const windowEndUs = windowStartUs + windowUs;
  const addresses = ['192.0.2.10', '198.51.100.24', '203.0.113.5', '192.0.2.53'];
  const clientBase = addresses.length;
  for (let k = 0; k < 256; k++) addresses.push(`10.1.${k >> 4}.${k & 15}`);
  const fs = {
    count: n, proto: new Uint8Array(n), clientAddr: new Uint32Array(n), serverAddr: new Uint32Array(n),
    clientPort: new Uint16Array(n), serverPort: new Uint16Array(n), firstUs: new Float64Array(n), lastUs: new Float64Array(n),
    start: new Uint8Array(n), end: new Uint8Array(n), endState: new Uint8Array(n),
    packetsC2S: new Float64Array(n), packetsS2C: new Float64Array(n), bytesC2S: new Float64Array(n), bytesS2C: new Float64Array(n),
    keepAlivesC2S: new Uint32Array(n), keepAlivesS2C: new Uint32Array(n), keepAliveAcks: new Uint32Array(n),
    gapOffset: new Uint32Array(n + 1), gapStartUs: null, gapEndUs: null, gapInfo: null,
    addresses, gapFloorUs: 1e6, windowStartUs, windowEndUs,
  };
  const gStart = [];
  const gEnd = [];
  const gInfo = [];
  const allGapsSeconds = [];
  const censored = [];
  const poolCount = Math.max(1, Math.round(n * 0.02));
  const dnsCount = Math.round(n * 0.1);
  for (let i = 0; i < n; i++) {
    fs.gapOffset[i] = gStart.length;
    const gap = (startUs, endUs, info) => {
      gStart.push(startUs); gEnd.push(endUs); gInfo.push(info);
      allGapsSeconds.push((endUs - startUs) / 1e6);
    };
    let packets = 0;
    if (i < poolCount) {
      fs.proto[i] = 6; fs.clientAddr[i] = 0; fs.serverAddr[i] = 1; fs.clientPort[i] = 30000 + i; fs.serverPort[i] = 1521;
      fs.start[i] = START_SYN;
      let t = windowStartUs + rnd() * 600e6;
      fs.firstUs[i] = t;
      for (;;) {
        // A burst: queries a few seconds apart.
        const queries = 1 + Math.floor(rnd() * 5);
        for (let q = 0; q < queries; q++) {
          const g = (1 + rnd() * 4) * 1e6;
          gap(t, t + g, packGap(ST_ESTABLISHED, KIND_DATA, 0));
          t += g; packets += 2;
        }
        // An idle spell; the server probes after each 7200 s of silence.
        const idleUs = (60 + rnd() * rnd() * 4 * 3600) * 1e6;
        let quiet = 0;
        while (idleUs - quiet > 7200e6 && t + 7200e6 < windowEndUs) {
          gap(t, t + 7200e6, packGap(ST_ESTABLISHED, KIND_KEEPALIVE, 1));
          fs.keepAlivesS2C[i]++; fs.keepAliveAcks[i]++;
          t += 7200e6; quiet += 7200e6; packets += 2;
        }
        const rest = idleUs - quiet;
        if (t + rest >= windowEndUs) break;
        gap(t, t + rest, packGap(ST_ESTABLISHED, KIND_DATA, 0));
        t += rest;
      }
      fs.lastUs[i] = t;
      fs.end[i] = END_OPEN; fs.endState[i] = ST_ESTABLISHED;
      censored.push((windowEndUs - t) / 1e6);
    } else if (i < poolCount + dnsCount) {
      fs.proto[i] = 17; fs.clientAddr[i] = clientBase + (i & 255); fs.serverAddr[i] = 3; fs.clientPort[i] = 1024 + (i % 60000); fs.serverPort[i] = 53;
      fs.start[i] = START_DATAGRAM;
      const t = windowStartUs + rnd() * (windowUs - 1e6);
      fs.firstUs[i] = t; fs.lastUs[i] = t + rnd() * 0.05e6; packets = 2;
      fs.end[i] = END_OPEN; fs.endState[i] = ST_UDP_REPLIED;
      censored.push((windowEndUs - fs.lastUs[i]) / 1e6);
    } else {
      fs.proto[i] = 6; fs.clientAddr[i] = clientBase + (i & 255); fs.serverAddr[i] = 2; fs.clientPort[i] = 1024 + (i % 60000); fs.serverPort[i] = 443;
      fs.start[i] = START_SYN;
      let t = windowStartUs + rnd() * (windowUs - 700e6);
      fs.firstUs[i] = t;
      t += rnd() * 0.5e6;
      const gaps = Math.floor(rnd() * 4);
      for (let k = 0; k < gaps; k++) {
        const g = (1 + rnd() * rnd() * 300) * 1e6;
        gap(t, t + g, packGap(ST_ESTABLISHED, KIND_DATA, rnd() < 0.5 ? 0 : 1));
        t += g + rnd() * 0.5e6;
      }
      fs.lastUs[i] = t; packets = 8 + gaps * 2;
      fs.end[i] = END_FIN; fs.endState[i] = ST_TIME_WAIT;
    }
    fs.packetsC2S[i] = Math.ceil(packets / 2); fs.packetsS2C[i] = Math.floor(packets / 2);
    fs.bytesC2S[i] = fs.packetsC2S[i] * 120; fs.bytesS2C[i] = fs.packetsS2C[i] * 900;
    for (let k = 0; k < 4; k++) allGapsSeconds.push(rnd() * rnd() * 0.9);
  }
  fs.gapOffset[n] = gStart.length;
  fs.gapStartUs = Float64Array.from(gStart);
  fs.gapEndUs = Float64Array.from(gEnd);
  fs.gapInfo = Uint16Array.from(gInfo);
  const exactSorted = Float64Array.from(allGapsSeconds).sort();
  const distribution = {
    count: exactSorted.length, exactSorted, sketch: new Float64Array(64 * 32), sketchBase: 2 ** (1 / 32),
    censoredSeconds: Float64Array.from(censored),
  };
  return { flows: fs, distribution };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const ms = (x) => Math.round(x * 10) / 10;

async function main() {
  const n = Number(process.argv[2] ?? 100_000);
  // As `fwtp compare` runs it (src/cli/compare.ts): React's production build.
  process.env.NODE_ENV ??= 'production';
  const { makePlanner } = await import('../dist/model/plan.js');
  const { getPlatform } = await import('../dist/model/platforms.js');
  const { PlanStore } = await import('../dist/tui/store.js');
  const { App } = await import('../dist/tui/App.js');
  const { render } = await import('ink-testing-library');
  const { createElement } = await import('react');

  const t0 = performance.now();
  const data = makeSyntheticFlowSet({ flows: n });
  const genMs = performance.now() - t0;
  const options = { platform: getPlatform('cisco-asa'), keepalive: 'linux', keepaliveSource: 'profile', protocol: 'tcp' };
  const timeouts = [300, 500, 840, 1400, 2400, 3600, 3900, 6600, 11000, 18000, 31000, 52000, 86400];

  // Model, through the store the view uses.
  const t1 = performance.now();
  const base = makePlanner(data, options);
  const prepareMs = performance.now() - t1;
  const store = new PlanStore(base);
  const evalMs = [];
  for (const t of timeouts) {
    const s = performance.now();
    store.evaluate(0, 0, t);
    evalMs.push(performance.now() - s);
  }
  const h = performance.now();
  for (const t of timeouts) store.evaluate(0, 0, t);
  const hitMs = (performance.now() - h) / timeouts.length;
  const profileMs = [];
  for (const [p, k] of [[1, 0], [2, 0], [0, 1], [0, 4]]) {
    const s = performance.now();
    store.evaluate(p, k, 3600);
    profileMs.push(performance.now() - s);
  }

  // Keys through Ink: a fresh store, the view at 160x48 and at 80x24.
  const viewKeys = async (columns, rows) => {
    const viewStore = new PlanStore(makePlanner(data, options));
    const app = render(createElement(App, {
      store: viewStore, timeouts, color: false, size: { columns, rows }, initialSelectedSeconds: 3600,
      meta: { inputs: [{ path: 'synthetic', format: 'synthetic' }], flows: n, protocol: 'tcp', warnings: [] },
    }));
    // CPU time of the frame a key produced (wall time on a shared machine includes waiting for a core).
    let keyCpu = null;
    let frameCpuMs = 0;
    const write = app.stdout.write;
    app.stdout.write = (f) => {
      if (keyCpu !== null) { const c = process.cpuUsage(keyCpu); frameCpuMs = (c.user + c.system) / 1000; keyCpu = null; }
      write(f);
    };
    const waitFor = async (pred, limitMs = 60_000) => {
      const s = performance.now();
      while (!pred()) {
        if (performance.now() - s > limitMs) throw new Error('timed out');
        await new Promise((r) => setTimeout(r, 1));
      }
      return performance.now() - s;
    };
    // The header says "evaluating i/n" while figures are missing.
    const settled = () => !app.lastFrame().includes('evaluating');
    const firstFillMs = await waitFor(settled);
    // Quiet: no background work for 2 s (the neighbouring profiles prepared ahead, as while the user reads).
    const quiet = async () => {
      let last = -1;
      while (viewStore.stats.evaluations !== last) {
        last = viewStore.stats.evaluations;
        await new Promise((r) => setTimeout(r, 2000));
      }
    };
    const key = async (seq) => {
      await quiet();
      const before = app.frames.length;
      const s = performance.now();
      keyCpu = process.cpuUsage();
      app.stdin.write(seq);
      await waitFor(() => app.frames.length > before);
      const frameMs = performance.now() - s;
      await waitFor(settled);
      return { frameMs: ms(frameMs), frameCpuMs: ms(frameCpuMs), figuresMs: ms(performance.now() - s) };
    };
    const DOWN = '\u001B[B', RIGHT = '\u001B[C';
    const keys = {
      down: await key(DOWN), // a candidate evaluated before
      right: await key(RIGHT), // a new candidate: one evaluation
      p: await key('p'), // next platform: prepared ahead, 12 candidates to evaluate
      P: await key('P'), // back: all memoised
      k: await key('k'), // next keep-alive profile: prepared ahead
    };
    app.unmount();
    return { firstFillMs: ms(firstFillMs), keys, stats: viewStore.stats };
  };
  const view160x48 = await viewKeys(160, 48);
  const view80x24 = await viewKeys(80, 24);
  console.log(JSON.stringify({
    bench: 'tui', flows: n, gaps: data.flows.gapInfo.length, distributionGaps: data.distribution.count, generateMs: ms(genMs),
    prepareMs: ms(prepareMs), evaluateMs: { median: ms(median(evalMs)), max: ms(Math.max(...evalMs)) }, memoHitMs: +hitMs.toFixed(4),
    profileSwitchColdMs: profileMs.map(ms), view160x48, view80x24,
    heapMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
  }, null, 1));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => { console.error(e); process.exitCode = 1; });
}
