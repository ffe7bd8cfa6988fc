/**
 * The services a candidate breaks, as a firewall's drop log would show them (first dropped
 * packet's source -> destination, ephemeral client ports as *), counted in label-indexed arrays.
 */
import { protoName } from '../util/protocols.js';
import { hostPort } from '../util/endpoints.js';
import type { FlowModel } from './flow-model.js';
import type { AffectedService } from './types.js';

/** Idle times kept per affected label for its median. */
const IDLE_SAMPLES = 64;

/**
 * Broken sessions per affected label (as a drop log shows them), in label-indexed arrays, and each
 * label's first IDLE_SAMPLES idle times in one list in the order added (label, idle), for the
 * medians of the few labels reported. (Room for the samples of every label, 64 per label, was
 * 110 MB for the 216,000 labels of a 1 M-flow day, touched at random by every candidate.)
 */
export class AffectedTally {
  sessions: Int32Array;
  kinds: Int32Array;
  /** The idle samples: label and idle seconds, `samples` of them. */
  sampleLabel = new Int32Array(1024);
  sampleIdle = new Float64Array(1024);
  samples = 0;
  used = 0;
  private place = new Int32Array(0);

  /** `labels`: the labels known so far (the model's, once a candidate made them), so that the arrays need not grow. */
  constructor(labels = 16) {
    const size = Math.max(16, labels);
    this.sessions = new Int32Array(size);
    this.kinds = new Int32Array(size * 3);
  }

  /** Counts back to zero. */
  reset(): void {
    this.sessions.fill(0, 0, this.used);
    this.kinds.fill(0, 0, this.used * 3);
    this.used = 0;
    this.samples = 0;
  }

  add(id: number, kind: number, idleSeconds: number): void {
    if (id >= this.sessions.length) this.grow(id + 1);
    if (id >= this.used) this.used = id + 1;
    const n = this.sessions[id]!++;
    this.kinds[id * 3 + kind]!++;
    if (n < IDLE_SAMPLES) {
      if (this.samples === this.sampleLabel.length) this.growSamples();
      this.sampleLabel[this.samples] = id;
      this.sampleIdle[this.samples++] = idleSeconds;
    }
  }

  /** The idle samples of each of `ids` (at most IDLE_SAMPLES each), in the order they were added. */
  idleSamples(ids: readonly number[]): number[][] {
    // Each label's place in `ids` (-1: not asked for), in an array kept for the next call (a Map
    // lookup per sample was 3 % of a plan of 50 candidates over a million synthetic flows).
    if (this.place.length < this.sessions.length) this.place = new Int32Array(this.sessions.length).fill(-1);
    const place = this.place;
    ids.forEach((id, k) => { place[id] = k; });
    const out = ids.map((): number[] => []);
    for (let k = 0; k < this.samples; k++) {
      const at = place[this.sampleLabel[k]!]!;
      if (at >= 0) out[at]!.push(this.sampleIdle[k]!);
    }
    for (const id of ids) place[id] = -1;
    return out;
  }

  private grow(min: number): void {
    let size = this.sessions.length;
    while (size < min) size *= 2;
    const s = new Int32Array(size); s.set(this.sessions); this.sessions = s;
    const k = new Int32Array(size * 3); k.set(this.kinds); this.kinds = k;
  }

  private growSamples(): void {
    const size = this.sampleLabel.length * 2;
    const l = new Int32Array(size); l.set(this.sampleLabel); this.sampleLabel = l;
    const d = new Float64Array(size); d.set(this.sampleIdle); this.sampleIdle = d;
  }
}

export function noteAffected(tally: AffectedTally, p: FlowModel, i: number, dir: 0 | 1, kind: number, idleSeconds: number): void {
  tally.add(affectedLabel(p, i, dir), kind, idleSeconds);
}

/** The label id of flow i's packets in direction dir, made once per flow side (labelFor); the common case is one array read. */
export function affectedLabel(p: FlowModel, i: number, dir: 0 | 1): number {
  const stored = p.labelIds[i * 2 + dir]!;
  return stored > 0 ? stored - 1 : labelFor(p, i, dir);
}

function labelFor(p: FlowModel, i: number, dir: 0 | 1): number {
  // The label depends only on the endpoints (endpoint-labels.ts).
  let id = p.labelByEndpoints.get(p.fs, i, dir);
  if (id < 0) { id = labelIdOf(p, i, dir); p.labelByEndpoints.set(p.fs, i, dir, id); }
  p.labelIds[i * 2 + dir] = id + 1;
  return id;
}

/**
 * A new endpoint pair's label id. With distinct address texts (labelIndex null) the endpoints
 * alone tell labels apart: the id is the next one and its text is made when first read
 * (labelText; building the text of the 216 k labels of a 1 M-flow day took 0.47 s, and a plan
 * reads a few). Otherwise two address ids may share a text, and so may their labels: then the
 * text is made now and labels are told apart by it.
 */
function labelIdOf(p: FlowModel, i: number, dir: 0 | 1): number {
  const id = p.labels.length;
  if (p.labelIndex === null) {
    p.labels.push(UNBUILT);
    p.labelSides.push(i * 2 + dir);
    return id;
  }
  const label = labelTextOf(p, i, dir);
  const known = p.labelIndex.get(label);
  if (known !== undefined) return known;
  p.labels.push(label);
  p.labelIndex.set(label, id);
  return id;
}

/** A label whose text is not made yet (a label's text is never empty). */
const UNBUILT = '';

/** The text of label `id`, made on first use when it was left for later (labelIdOf). */
export function labelText(p: FlowModel, id: number): string {
  const known = p.labels[id]!;
  if (known !== UNBUILT) return known;
  const side = p.labelSides[id]!;
  const text = labelTextOf(p, side >> 1, (side & 1) as 0 | 1);
  p.labels[id] = text;
  return text;
}

/** As a drop log shows the first dropped packet of flow i in direction dir: its source -> destination, ephemeral client ports as *. */
function labelTextOf(p: FlowModel, i: number, dir: 0 | 1): string {
  const fs = p.fs;
  const server = hostPort(fs.addresses[fs.serverAddr[i]!]!, fs.serverPort[i]!);
  const clientAddr = fs.addresses[fs.clientAddr[i]!]!;
  const client = `${clientAddr.includes(':') ? `[${clientAddr}]` : clientAddr}:*`;
  return `${protoName(fs.proto[i]!)} ${dir === 1 ? `${server} -> ${client}` : `${client} -> ${server}`}`;
}

/** Whether no two address ids share a text (then a label is known by its endpoints alone). */
export function distinctAddresses(addresses: readonly string[]): boolean {
  let ascending = true;
  for (let k = 1; k < addresses.length && ascending; k++) ascending = addresses[k - 1]! < addresses[k]!;
  // A canonical flow set's addresses are sorted and distinct (canonical.ts); others are counted.
  return ascending || new Set(addresses).size === addresses.length;
}

/** Up to this many labels are picked by insertion while walking (below it a full sort is not needed). */
const PICK_LIMIT = 64;

/**
 * The `limit` labels with the most broken sessions (ties: by label), each with its commonest break
 * kind and median idle time. A short list is picked while walking the labels: a real day's
 * capture has tens of thousands of them per candidate, and sorting them all was a third of a plan.
 */
export function topAffected(tally: AffectedTally, label: (id: number) => string, limit: number): AffectedService[] {
  const names = ['keepAlive', 'data', 'close'] as const;
  // x before y: more sessions, then the label first in order (labels are distinct: a total order).
  const before = (x: number, y: number): boolean => {
    const d = tally.sessions[x]! - tally.sessions[y]!;
    return d !== 0 ? d > 0 : label(x) < label(y);
  };
  let top: number[] = [];
  if (limit <= PICK_LIMIT) {
    for (let id = 0; id < tally.used && limit > 0; id++) {
      if (tally.sessions[id]! <= 0) continue;
      if (top.length === limit && !before(id, top[limit - 1]!)) continue;
      let at = top.length === limit ? limit - 1 : top.length;
      while (at > 0 && before(id, top[at - 1]!)) { top[at] = top[at - 1]!; at--; }
      top[at] = id;
    }
  } else {
    for (let id = 0; id < tally.used; id++) if (tally.sessions[id]! > 0) top.push(id);
    top = top.sort((x, y) => (before(x, y) ? -1 : before(y, x) ? 1 : 0)).slice(0, limit);
  }
  const samples = tally.idleSamples(top);
  return top.map((id, rank) => {
    let best = 0;
    for (let k = 1; k < 3; k++) if (tally.kinds[id * 3 + k]! > tally.kinds[id * 3 + best]!) best = k;
    const idle = samples[rank]!.sort((a, b) => a - b);
    return { label: label(id), sessions: tally.sessions[id]!, kind: names[best]!, idleSeconds: idle[Math.floor((idle.length - 1) / 2)]! };
  });
}
