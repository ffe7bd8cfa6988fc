/**
 * A pool of worker threads (node:worker_threads) running jobs that each answer with one message.
 * Workers start with the pool, so their modules load while the caller prepares the jobs. Jobs run
 * largest first (the longest must not start last); a worker that dies fails its job (through
 * `onFailed`) and is replaced while work remains.
 */
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';

interface Slot<Job> {
  worker: Worker;
  current: Job | undefined;
  dead: boolean;
}

export class WorkerPool<Job, Outcome> {
  private slots: Array<Slot<Job>> = [];
  private queue: Job[] = [];
  private onOutcome: (o: Outcome) => void = () => undefined;
  private onFailed: (job: Job, reason: string) => void = () => undefined;
  private resolveRun: (() => void) | null = null;
  private closing = false;
  private spawnsLeft: number;

  /** `file`: the worker's module; `workerData`: handed to every worker as it starts. */
  constructor(private readonly file: string, size: number, private readonly workerData: unknown) {
    // V8 recompiles hot functions on background threads by default. With every core busy
    // planning, that work competes with the other workers for nothing: measured on 2 cores,
    // the same wall time per worker with 15-25 % less CPU when each worker compiles on its own
    // thread (bench/batch-speed.js). Read by each isolate when it starts, so set it before.
    if (size > 1) setFlagsFromString('--no-concurrent-recompilation');
    this.spawnsLeft = size;
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot<Job> {
    this.spawnsLeft--;
    const slot: Slot<Job> = { worker: new Worker(this.file, { workerData: this.workerData }), current: undefined, dead: false };
    slot.worker.on('message', (o: Outcome) => {
      slot.current = undefined;
      this.onOutcome(o);
      this.feed(slot);
      this.check();
    });
    slot.worker.on('error', (e) => this.died(slot, e.message));
    slot.worker.on('exit', (code) => this.died(slot, `exit code ${code}`));
    return slot;
  }

  /**
   * Runs the jobs (`sizes[i]` the size of `jobs[i]`, any unit); resolves once every job has an
   * outcome or has failed. `reason` says why a worker stopped ("exit code 1", an error message).
   */
  run(jobs: Job[], sizes: number[], onOutcome: (o: Outcome) => void, onFailed: (job: Job, reason: string) => void): Promise<void> {
    this.queue = jobs.map((j, i) => ({ j, size: sizes[i]! })).sort((a, b) => b.size - a.size).map((x) => x.j);
    this.spawnsLeft += jobs.length;
    this.onOutcome = onOutcome;
    this.onFailed = onFailed;
    return new Promise((resolve) => {
      this.resolveRun = resolve;
      for (const slot of [...this.slots]) this.feed(slot);
      this.check();
    });
  }

  private feed(slot: Slot<Job>): void {
    if (slot.dead || slot.current !== undefined) return;
    const job = this.queue.shift();
    if (job === undefined) return;
    slot.current = job;
    slot.worker.postMessage(job);
  }

  private died(slot: Slot<Job>, message: string): void {
    if (slot.dead) return;
    slot.dead = true;
    this.slots = this.slots.filter((s) => s !== slot);
    if (this.closing) return;
    if (slot.current !== undefined) this.onFailed(slot.current, message);
    slot.current = undefined;
    if (this.queue.length > 0) {
      if (this.spawnsLeft > 0) {
        const fresh = this.spawn();
        this.slots.push(fresh);
        this.feed(fresh);
      } else if (this.slots.length === 0) {
        // Workers cannot start at all: every job left fails with the reason.
        for (const job of this.queue.splice(0)) this.onFailed(job, message);
      }
    }
    this.check();
  }

  private check(): void {
    if (this.resolveRun !== null && this.queue.length === 0 && this.slots.every((s) => s.current === undefined)) {
      const resolve = this.resolveRun;
      this.resolveRun = null;
      resolve();
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
