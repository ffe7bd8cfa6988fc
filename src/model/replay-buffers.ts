/**
 * The arrays one candidate's replay fills (replay.ts), kept from one candidate to the next of a
 * break schedule (break-schedule.ts): a plan of 50 candidates over a million flows allocated and
 * zeroed about 7 MB of them per candidate. An outcome read from these buffers is valid until the
 * next replay that uses them (evaluate, plan.ts, consumes it before returning).
 */
import { AffectedTally } from './affected-services.js';
import type { FlowModel } from './flow-model.js';
import { F64List, I16List } from './typed-list.js';
import { SweepBuffers } from './sweep-buffers.js';

export class ReplayBuffers {
  readonly replayed: Uint8Array;
  readonly replayedList: Int32Array;
  readonly candReplayed: Uint8Array;
  readonly extraEnds: F64List;
  readonly extraStarts = new F64List();
  readonly extraEndSlots: I16List;
  readonly extraStartSlots = new I16List();
  affected: AffectedTally;
  /** The occupancy sweep's scratch (sweep-buffers.ts), kept alongside. */
  readonly sweep: SweepBuffers;

  constructor(private readonly p: FlowModel) {
    this.replayed = new Uint8Array(p.fs.count);
    this.replayedList = new Int32Array(p.sensitive.length);
    this.candReplayed = new Uint8Array(p.candEndOrder.length);
    this.extraEnds = new F64List(p.sensitive.length);
    this.extraEndSlots = new I16List(p.services !== null ? p.sensitive.length : 0);
    this.affected = new AffectedTally(p.labels.length);
    this.sweep = new SweepBuffers(p);
  }

  /** Ready for the next replay: the marks cleared, the lists emptied. */
  reset(): void {
    // Two memsets: cheaper than clearing the last replay's marks one by one.
    this.replayed.fill(0);
    this.candReplayed.fill(0);
    this.extraEnds.length = 0;
    this.extraStarts.length = 0;
    this.extraEndSlots.length = 0;
    this.extraStartSlots.length = 0;
    // Labels made by the last replay widen the tally once; otherwise its counts are cleared.
    if (this.affected.sessions.length < this.p.labels.length) this.affected = new AffectedTally(this.p.labels.length);
    else this.affected.reset();
  }
}
