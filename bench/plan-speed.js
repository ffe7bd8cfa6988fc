// Planning speed: a synthetic FlowSet of N flows (a day of sessions: short closed ones, pooled
// ones with long gaps and keep-alives), 50 candidates from 1 minute to 2 days.
// The same path as `fwtp plan` (src/cli/plan.ts, model-options.ts): plan() with the current
// timeout of the platform and per-service figures for the default 10 services (--services).
// CPU milliseconds (user + system of this process) are printed beside wall time: on a shared
// machine wall time includes waiting for a core.
// Run: node bench/plan-speed.js [flows] [candidates]
import { makePlanner, plan } from '../dist/model/plan.js';
import { currentTimeoutSeconds, getPlatform } from '../dist/model/platforms.js';
import { parseTimeouts } from '../dist/util/duration.js';
import { packGapInfo } from '../dist/flows/types.js';

const n = Number(process.argv[2] ?? 1_000_000);
const k = Number(process.argv[3] ?? 50);
let seed = 42;
const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
const day = 86400e6;
const gapsPerFlow = [];
let gapTotal = 0;
for (let i = 0; i < n; i++) { const g = i % 10 === 0 ? 3 : i % 3 === 0 ? 1 : 0; gapsPerFlow.push(g); gapTotal += g; }
const fs = {
  count: n, proto: new Uint8Array(n).fill(6), clientAddr: new Uint32Array(n), serverAddr: new Uint32Array(n),
  clientPort: new Uint16Array(n), serverPort: new Uint16Array(n), firstUs: new Float64Array(n), lastUs: new Float64Array(n),
  start: new Uint8Array(n), end: new Uint8Array(n), endState: new Uint8Array(n), packetsC2S: new Float64Array(n), packetsS2C: new Float64Array(n),
  bytesC2S: new Float64Array(n), bytesS2C: new Float64Array(n), keepAlivesC2S: new Uint32Array(n), keepAlivesS2C: new Uint32Array(n),
  keepAliveAcks: new Uint32Array(n), gapOffset: new Uint32Array(n + 1), gapStartUs: new Float64Array(gapTotal), gapEndUs: new Float64Array(gapTotal),
  gapInfo: new Uint16Array(gapTotal), addresses: [], gapFloorUs: 1e6, windowStartUs: 0, windowEndUs: day,
};
for (let a = 0; a < 256; a++) fs.addresses.push(`192.0.2.${a}`);
fs.addresses.push('198.51.100.24', '198.51.100.80');
// Flows in first-packet order, as every reader hands them to the planner (the canonical form,
// src/flows/canonical.ts): the first packets are drawn, then sorted.
const firsts = new Float64Array(n);
for (let i = 0; i < n; i++) firsts[i] = rnd() * day * 0.95;
firsts.sort();
let g = 0;
for (let i = 0; i < n; i++) {
  fs.clientAddr[i] = i & 255; fs.serverAddr[i] = 256 + (i & 1); fs.clientPort[i] = 1024 + (i % 60000); fs.serverPort[i] = i & 1 ? 443 : 1521;
  const first = firsts[i];
  fs.firstUs[i] = first;
  let t = first + rnd() * 5e6;
  fs.gapOffset[i] = g;
  for (let j = 0; j < gapsPerFlow[i]; j++) {
    const len = (rnd() < 0.5 ? 7200 : 60 + rnd() * 20000) * 1e6;
    const ka = len === 7200e6;
    fs.gapStartUs[g] = t; fs.gapEndUs[g] = t + len; fs.gapInfo[g] = packGapInfo(2, ka ? 1 : 0, ka ? 1 : 0, false, false);
    if (ka) fs.keepAlivesS2C[i]++;
    t += len; g++;
  }
  fs.gapOffset[i + 1] = g;
  fs.lastUs[i] = Math.min(t, day);
  const closed = i % 3 !== 0;
  fs.end[i] = closed ? 1 : 0; fs.endState[i] = closed ? 6 : 2;
  fs.packetsC2S[i] = 5; fs.packetsS2C[i] = 5;
}
const distribution = { count: 0, exactSorted: new Float64Array(0), sketch: new Float64Array(2048), sketchBase: 2 ** (1 / 32), censoredSeconds: new Float64Array(0) };
const timeouts = parseTimeouts('1m..2d', k);
const options = { platform: getPlatform('linux'), keepalive: 'linux', keepaliveSource: 'profile', protocol: 'tcp', rules: [], serviceLimit: 10 };
options.currentSeconds = currentTimeoutSeconds(options.platform, 'tcp');
const cpuMs = (c) => { const d = process.cpuUsage(c); return Math.round((d.user + d.system) / 1000); };
// The whole plan first, as the command runs it: the first plan of its process, preparation
// included (a plan measured after a warm-up preparation found its memory and code warm, which
// `fwtp plan` never does). Then, for the breakdown, a preparation alone and a second plan.
const t0 = performance.now();
const c1 = process.cpuUsage();
const r = plan({ flows: fs, distribution }, { ...options, timeouts, inputs: [{ path: 'synthetic', format: 'synthetic' }] });
const t2 = performance.now();
const totalCpuMs = cpuMs(c1);
const p0 = performance.now();
const c0 = process.cpuUsage();
makePlanner({ flows: fs, distribution }, options);
const prepareMs = Math.round(performance.now() - p0);
const prepareCpuMs = cpuMs(c0);
const w0 = performance.now();
plan({ flows: fs, distribution }, { ...options, timeouts, inputs: [{ path: 'synthetic', format: 'synthetic' }] });
const warmPlanMs = Math.round(performance.now() - w0);
let broken = 0;
for (const c of r.candidates) broken += c.sessionsWithDrops;
const services = r.candidates[0]?.services.length ?? 0;
if (services === 0) throw new Error('no per-service figures: the bench must run the path fwtp plan runs');
// The evaluation's share of the warm plan (its preparation measured just before it).
const evaluateAllMs = warmPlanMs - prepareMs;
console.log(JSON.stringify({ bench: 'plan-speed', flows: n, candidates: timeouts.length, services, prepareMs, prepareCpuMs, evaluateAllMs,
  perCandidateMs: +(evaluateAllMs / timeouts.length).toFixed(1), totalAfterReadMs: Math.round(t2 - t0), totalAfterReadCpuMs: totalCpuMs, warmPlanMs, targetMs: 2000,
  brokenSum: broken, heapMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20) }));
