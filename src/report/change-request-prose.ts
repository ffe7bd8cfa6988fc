/**
 * The change request's words: its title, the one-paragraph summary, the assumptions, the risks
 * and what to watch after the change (what to watch per platform from reference/drop-logs.md,
 * through config/).
 */
import { formatDuration } from '../util/duration.js';
import type { ChangeRequest } from './change-request.js';
import { platformConfig } from './config/index.js';
import type { PlatformConfig } from './config/platform-config.js';
import { formatBytes } from '../util/bytes.js';
import { durationWithSeconds, fixed, kindWords, percent, plural, readableDuration } from './prose-format.js';
import { scheduleText } from '../model/keepalive.js';

export function changeTitle(change: ChangeRequest['change'], protocol: string, platform: string): string {
  const state = protocol === 'udp' ? 'UDP' : 'TCP established';
  if (change.scope === 'per-service') {
    const s = change.services.map((x) => `${x.label}${x.idleSeconds !== null ? ` to ${formatDuration(x.idleSeconds)}` : ''}`).join(', ');
    return `Change request: ${state} idle timeout on ${platform} for ${s} (global stays ${formatDuration(change.currentSeconds)})`;
  }
  return `Change request: ${change.direction} the ${state} idle timeout on ${platform} from ${formatDuration(change.currentSeconds)} to ${formatDuration(change.proposedSeconds)}`;
}

/**
 * "entry memory 5.50 KiB at peak, 4.09 KiB on average instead of 1.05 KiB (the table's fixed
 * 2.00 MiB on top)": what the timeout changes, apart from what it does not (issue 14, item 5).
 */
function entryMemoryText(r: ChangeRequest): string {
  const i = r.impact;
  const f = r.coverage.platform.fixedBytes;
  const fixedCost = f > 0 ? ` (the table's fixed ${formatBytes(f)} on top)` : '';
  return `entry memory ${formatBytes(i.memoryBytes.after.peak - f)} at peak, ${formatBytes(i.memoryBytes.after.mean - f)} on average instead of ${formatBytes(i.memoryBytes.before.mean - f)}${fixedCost}`;
}

/**
 * The one-paragraph summary: what changes, why, the expected effect. `esc` is applied to every
 * input-derived fragment (addresses, rule text, platform name), so renderers can escape those
 * alone and keep the prose readable; the JSON keeps `esc` = identity.
 */
export function summaryText(r: ChangeRequest, esc: (text: string) => string): string {
  const c = r.change;
  const state = r.protocol === 'udp' ? 'UDP' : 'TCP established';
  const before = r.candidates[0]!.result;
  const after = r.candidates[1]!.result;
  const i = r.impact;
  const parts: string[] = [];
  if (c.scope === 'per-service') {
    const list = c.services.map((s) => `${s.idleSeconds !== null ? `to ${durationWithSeconds(s.idleSeconds)} ` : ''}for ${esc(s.label)}`).join(' and ');
    const given = c.services.map((s) => esc(s.rule)).join(', ');
    parts.push(`Change: set the ${state} idle timeout of the ${esc(r.platform.name)} firewall ${list} only (--service-timeout ${given}); every other connection keeps ${durationWithSeconds(c.currentSeconds)}.`);
  } else {
    parts.push(`Change: ${c.direction} the ${state} idle timeout of the ${esc(r.platform.name)} firewall from ${durationWithSeconds(c.currentSeconds)} to ${durationWithSeconds(c.proposedSeconds)}, for every connection.`);
  }
  const window = readableDuration(r.coverage.window.seconds);
  if (before.sessionsWithDrops > 0 || before.droppedKeepAlives > 0) {
    const k = before.brokenByKind;
    let why = `Why: at the current ${formatDuration(c.currentSeconds)}, ${plural(before.sessionsWithDrops, 'session')} lose their state while in use during the ${window} observed ` +
      `(first dropped packet: keep-alive ${k.keepAlive}, data ${k.data}, close ${k.close}) and ${plural(before.droppedKeepAlives, 'keep-alive probe')} are dropped`;
    const top = before.affected[0];
    if (top !== undefined) why += `; most affected: ${esc(top.label)}, ${plural(top.sessions, 'session')}, first dropped packet a ${kindWords(top.kind)} after ${readableDuration(top.idleSeconds)} idle`;
    parts.push(`${why}.`);
  } else {
    parts.push(`Why: at the current ${formatDuration(c.currentSeconds)} no session loses its state during the ${window} observed; the change is about table use.`);
  }
  const at = c.scope === 'per-service' ? 'with the per-service timeout' : `at ${formatDuration(c.proposedSeconds)}`;
  const share = i.headroom.after !== null && i.tableMax !== null ? `, ${percent(i.headroom.after)} of the ${i.tableMax}-entry maximum` : '';
  const peak = (i.tableEntries.after.peak === i.tableEntries.before.peak ? `peak unchanged at ${i.tableEntries.after.peak}` : `peak ${i.tableEntries.after.peak} instead of ${i.tableEntries.before.peak}`) + share;
  let effect = `Expected effect: ${at}, ${plural(after.sessionsWithDrops, 'session')} break and ${plural(after.droppedKeepAlives, 'keep-alive probe')} are dropped; ` +
    `the table holds ${fixed(i.tableEntries.after.mean, 1)} entries on average instead of ${fixed(i.tableEntries.before.mean, 1)} (${peak}), ${entryMemoryText(r)}`;
  if (i.growthPerHour.after !== null) effect += `, and ${fixed(i.growthPerHour.after, 2)} more entries per hour stay for good for as long as the application leaks sessions`;
  parts.push(`${effect}.`);
  if (after.extrapolated) parts.push('The proposal\'s figures reach beyond the capture window (see data coverage).');
  if (after.lowerBound === true) parts.push(`The proposal's broken sessions are at least the figure given: ${after.lowerBoundReason ?? 'the inputs cannot show it in full'}.`);
  return parts.join(' ');
}

export function assumptions(r: ChangeRequest): string[] {
  const p = r.coverage.platform;
  const src = (key: string): string => p.sources[key] ?? 'profile';
  const out: string[] = [];
  out.push(`The ${readableDuration(r.coverage.window.seconds)} observed are typical of the traffic through this firewall; the figures scale with the real session rate, not with this window.`);
  out.push(r.change.currentSource === 'flag'
    ? `The current ${r.protocol === 'udp' ? 'UDP' : 'TCP established'} timeout is ${durationWithSeconds(r.change.currentSeconds)} (given with --current).`
    : `The current timeout is the platform profile's value, ${durationWithSeconds(r.change.currentSeconds)} (no --current given): check it on the device.`);
  out.push(p.pickup === 'strict'
    ? `Strict pickup (${src('pickup')}): after an entry expires, any packet but a SYN is dropped, so the session breaks (the common stateful rule set).`
    : `Loose pickup (${src('pickup')}): a packet after expiry creates a new entry; nothing is dropped.`);
  out.push(`Every other state keeps the profile's timeout (time_wait ${p.stateTimeouts.time_wait} s, close ${p.stateTimeouts.close} s, fin_wait ${p.stateTimeouts.fin_wait} s; source: ${src('time_wait')}).`);
  out.push(`Memory: ${p.bytesPerEntry} bytes per entry (${src('bytesPerEntry')}) plus ${p.fixedBytes} fixed bytes (${src('fixedBytes')}); table maximum ${p.tableMax ?? 'unknown'} (${src('tableMax')}).`);
  const ka = r.coverage.keepalive;
  const sched = ka.schedule === null ? 'off' : `${scheduleText(ka.schedule)} (idle/interval/count)`;
  out.push(`Endpoint keep-alive: ${ka.profile} ${sched}, source ${ka.source}${ka.observed.length > 0 ? `; observed from ${plural(ka.observed.length, 'sender')}, see data coverage` : ''}.`);
  out.push('The model counts the first failure of each session, not what the application does after it (reconnects, errors shown to users).');
  out.push('Packets lost before the capture point look like idle time; timer granularity on the device can keep an entry a few seconds longer.');
  return out;
}

export function risks(r: ChangeRequest): string[] {
  const out: string[] = [];
  const i = r.impact;
  const after = r.candidates[1]!.result;
  const meanDelta = i.tableEntries.after.mean - i.tableEntries.before.mean;
  const peakDelta = i.memoryBytes.after.peak - i.memoryBytes.before.peak;
  if (meanDelta > 0) out.push(`More entries held: ${fixed(meanDelta, 1)} more on average (${fixed(i.tableEntries.before.mean, 1)} -> ${fixed(i.tableEntries.after.mean, 1)})${peakDelta > 0 ? `, ${formatBytes(peakDelta)} more memory at peak` : ', the same peak'}.`);
  if (i.growthPerHour.after !== null) {
    const fill = i.hoursToTableMax !== null ? ` At that rate alone the table maximum (${i.tableMax}) is reached in ${readableDuration(i.hoursToTableMax * 3600)}.` : ' The table maximum is unknown on this platform: set an alarm on the entry count.';
    out.push(`Leaked sessions no longer expire: ${fixed(i.growthPerHour.after, 2)} entries per hour accumulate until the application closes them or restarts.${fill}`);
  }
  if (i.headroom.after !== null && i.headroom.after > 0.8) out.push(`The peak reaches ${percent(i.headroom.after)} of the table maximum: new connections may be refused when it fills.`);
  if (after.sessionsWithDrops > 0) out.push(`${plural(after.sessionsWithDrops, 'session')} still lose their state with the proposal (see the evidence).`);
  if (after.extrapolated) out.push(`The proposal's figures are extrapolated beyond the capture window: ${after.extrapolatedReason ?? ''}`.trim());
  if (r.change.direction === 'lower') out.push('A shorter timeout forgets idle sessions sooner: check the broken-session figures before applying.');
  const limits = r.platform.known ? platformConfig(r.platform.name)?.limits ?? null : null;
  const values = r.change.scope === 'per-service' ? r.change.services.map((s) => s.idleSeconds).filter((v): v is number => v !== null) : [r.change.proposedSeconds];
  if (limits !== null) {
    for (const v of values) {
      if (v < limits.minSeconds || v > limits.maxSeconds) out.push(`${v} s is outside what ${r.platform.name} accepts (${limits.minSeconds}..${limits.maxSeconds} s): ${limits.note}`);
    }
    if (r.change.scope === 'per-service' && !limits.perService) out.push(`${r.platform.name} has no per-service idle timeout: ${limits.note}`);
  }
  out.push(`Existing sessions: ${r.configuration.existingSessions}`);
  return out;
}

export function watchList(r: ChangeRequest, cfg: PlatformConfig | null): string[] {
  const i = r.impact;
  const out: string[] = [];
  out.push(`Table entries: expect about ${fixed(i.tableEntries.after.mean, 1)} on average and ${i.tableEntries.after.peak} at peak for traffic like the observed (today ${fixed(i.tableEntries.before.mean, 1)} and ${i.tableEntries.before.peak}).`);
  out.push(...(cfg?.watch ?? ['the device\'s session count, its drop counters and its table-full messages']));
  if (r.evidence.current.length > 0) out.push(`The drop log lines for the sessions in the evidence (${r.evidence.current.slice(0, 3).map((a) => a.label).join('; ')}) should stop.`);
  return out;
}

