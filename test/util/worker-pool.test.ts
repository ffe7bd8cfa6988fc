// The worker pool (src/util/worker-pool.ts) with a tiny worker (fixtures/pool-worker.mjs): every
// job answered once, largest first, a dead worker's job failed and the worker replaced.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { WorkerPool } from '../../src/util/worker-pool.js';

const WORKER = fileURLToPath(new URL('./fixtures/pool-worker.mjs', import.meta.url));

interface Job { id: number; n: number; die?: boolean }
interface Outcome { id: number; value: number; thread: number }

async function runAll(size: number, jobs: Job[], sizes: number[]): Promise<{ outcomes: Outcome[]; failed: Array<[number, string]> }> {
  const pool = new WorkerPool<Job, Outcome>(WORKER, size, { poolTest: true });
  const outcomes: Outcome[] = [];
  const failed: Array<[number, string]> = [];
  try {
    await pool.run(jobs, sizes, (o) => outcomes.push(o), (job, reason) => failed.push([job.id, reason]));
  } finally {
    await pool.close();
  }
  return { outcomes, failed };
}

describe('WorkerPool', () => {
  it('answers every job once; one worker runs them largest first', async () => {
    const jobs = [1, 2, 3, 4, 5].map((n, id) => ({ id, n }));
    const { outcomes, failed } = await runAll(1, jobs, [10, 50, 20, 40, 30]);
    expect(failed).toEqual([]);
    expect(outcomes.map((o) => o.id)).toEqual([1, 3, 4, 2, 0]);
    expect(outcomes.map((o) => o.value)).toEqual([4, 8, 10, 6, 2]);
  });

  it('spreads the jobs over the workers', async () => {
    const jobs = Array.from({ length: 8 }, (_, id) => ({ id, n: id }));
    const { outcomes } = await runAll(2, jobs, jobs.map(() => 1));
    expect(outcomes.map((o) => o.id).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(outcomes.map((o) => o.thread)).size).toBe(2); // each worker is fed a job at the start
  });

  it('a worker that dies fails its job with the reason, and a fresh one takes the rest', async () => {
    const jobs: Job[] = [{ id: 0, n: 1 }, { id: 1, n: 2, die: true }, { id: 2, n: 3 }, { id: 3, n: 4 }];
    const { outcomes, failed } = await runAll(1, jobs, [4, 3, 2, 1]);
    expect(failed).toEqual([[1, 'exit code 3']]);
    expect(outcomes.map((o) => o.id)).toEqual([0, 2, 3]);
    expect(new Set(outcomes.map((o) => o.thread)).size).toBe(2);
  });

  it('an empty run resolves at once', async () => {
    const { outcomes, failed } = await runAll(2, [], []);
    expect([outcomes, failed]).toEqual([[], []]);
  });
});
