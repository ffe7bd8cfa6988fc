/**
 * One `fwtp batch` dataset, run on a worker thread (node:worker_threads): read its inputs,
 * plan, write the plan as JSON and Markdown (atomically), and send back a summary row. The
 * main thread (src/cli/batch.ts) loads the compiled dist/cli/batch-worker.js. Wiring only.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { readInputs, type ReadOptions } from '../read/inputs.js';
import { rowFromPlan, type DatasetRow } from '../report/batch-summary.js';
import { planMarkdown } from '../report/plan.js';
import { planFromRead, resolveModel, type ModelArgs } from './model-options.js';
import { writeFileAtomic } from '../util/atomic.js';
import { FwtpError } from '../util/errors.js';

export interface DatasetJob {
  id: number;
  name: string;
  files: string[];
  jsonPath: string;
  mdPath: string;
  read: Omit<ReadOptions, 'onProgress'>;
  model: ModelArgs;
}

export interface DatasetOutcome {
  id: number;
  row?: DatasetRow;
  /** `line` is the error's one line; `namesFile` when it already starts with the file it is about. */
  error?: { code: string; line: string; internal: boolean; namesFile: boolean };
}

/** Reads, plans and writes one dataset; errors become the outcome (one bad dataset never stops the others). */
export async function runDataset(job: DatasetJob): Promise<DatasetOutcome> {
  try {
    // As `fwtp plan --format json` on the same inputs (src/cli/plan.ts): same reading, same planning.
    const { options, timeouts } = resolveModel(job.model);
    const result = await readInputs(job.files, { ...job.read, conntrackTimeouts: options.platform.stateTimeouts });
    const r = planFromRead(result, options, timeouts);
    mkdirSync(dirname(job.jsonPath), { recursive: true });
    writeFileAtomic(job.jsonPath, JSON.stringify(r, null, 2) + '\n');
    writeFileAtomic(job.mdPath, planMarkdown(r));
    const inputWarnings = result.inputs.flatMap((i) => i.warnings.map((w) => `${i.path}: ${w}`));
    return { id: job.id, row: rowFromPlan(r, inputWarnings) };
  } catch (e) {
    if (e instanceof FwtpError) return { id: job.id, error: { code: e.code, line: e.toLine(), internal: false, namesFile: e.file !== undefined } };
    const err = e as Error;
    return { id: job.id, error: { code: 'INTERNAL', line: `internal error: ${err?.message ?? String(e)} (a bug in fwtp)`, internal: true, namesFile: false } };
  }
}

// On a worker thread started by batch.ts: take jobs one at a time until the port closes.
if (!isMainThread && parentPort !== null && (workerData as { fwtpBatch?: boolean } | null)?.fwtpBatch === true) {
  const port = parentPort;
  port.on('message', (job: DatasetJob) => {
    void runDataset(job).then((outcome) => port.postMessage(outcome));
  });
}
