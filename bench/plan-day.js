// Planning a day's flows as `fwtp plan` meets them: the flows of a generated day (bench/gen-capture.mjs,
// 20 M packets: about 1 M flows and 3.8 M stored gaps, with the keep-alives, pools and short sessions
// of a real link), read from their profile (fwtp extract), then 50 candidates from 1 minute to 2 days
// planned after the read in the same process, with the per-service figures of the default 10 services.
// plan-speed.js plans synthetic flows (few gaps, 512 affected labels); this one has a day's
// variety (216 k affected labels), which is where the costs of a real plan showed.
// Run: node bench/plan-day.js PROFILE
import { createHash } from 'node:crypto';
import { readInputs } from '../dist/read/inputs.js';
import { plan } from '../dist/model/plan.js';
import { currentTimeoutSeconds, getPlatform } from '../dist/model/platforms.js';
import { parseTimeouts } from '../dist/util/duration.js';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: node bench/plan-day.js PROFILE');
const cpuMs = (c) => { const d = process.cpuUsage(c); return Math.round((d.user + d.system) / 1000); };
const t0 = performance.now();
const result = await readInputs([file], {});
const t1 = performance.now();
const c1 = process.cpuUsage();
const timeouts = parseTimeouts('1m..2d', 50);
const options = { platform: getPlatform('linux'), keepalive: 'linux', keepaliveSource: 'profile', protocol: 'tcp', rules: [], serviceLimit: 10 };
options.currentSeconds = currentTimeoutSeconds(options.platform, 'tcp');
const r = plan({ flows: result.flows, distribution: result.distribution }, { ...options, timeouts, inputs: [{ path: file, format: 'profile' }] });
const t2 = performance.now();
const planCpuMs = cpuMs(c1);
// The candidates' figures only (the inputs name the file): the same on every run of the same build.
const md5 = createHash('md5').update(JSON.stringify(r.candidates)).digest('hex');
console.log(JSON.stringify({ bench: 'plan-day', flows: result.flows.count, gaps: result.flows.gapStartUs.length, candidates: timeouts.length, services: r.candidates[0]?.services.length ?? 0,
  readMs: Math.round(t1 - t0), planMs: Math.round(t2 - t1), planCpuMs, targetMs: 2000, candidatesMd5: md5 }));
