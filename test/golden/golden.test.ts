/**
 * Golden outputs: what gaps, plan, recommend and report print on the samples and a spread of the
 * corpus, byte for byte. A change that alters them on purpose regenerates them with
 * `node scripts/golden.mjs --write` and says why in its commit.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { goldenCases, goldenPath, runCase } from '../../scripts/golden.mjs';
import { ensureBuilt, ROOT } from '../helpers/cli.js';

interface GoldenCase { id: string; corpus: boolean; files: string[]; args: string[] }

const corpusPresent = existsSync(join(ROOT, '..', 'shared', 'corpus'));
if (!corpusPresent) console.warn('golden: ../shared/corpus is absent; corpus cases skipped');

describe('golden outputs', () => {
  beforeAll(() => ensureBuilt());
  for (const c of goldenCases() as GoldenCase[]) {
    it.skipIf(c.corpus && !corpusPresent)(c.id, () => {
      expect(runCase(c)).toBe(readFileSync(goldenPath(c.id), 'utf8'));
    });
  }
});
