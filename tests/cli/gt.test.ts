import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src-main/app';
import { call } from '../../src-main/api/router';
import { composeBrief } from '../../src-main/io/briefs/compose';
import { main } from '../../src-main/cli/main';
import { tempDir } from '../support/fixtures';
import { testStoreKey } from '../support/store-key';

const dirs: Array<{ path: string; remove(): void }> = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

async function cwb(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (text) => out.push(text), err: (text) => err.push(text) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const small = [
  '--investors',
  '40',
  '--assets',
  '80',
  '--dates',
  '4',
  '--positions',
  '6',
  '--hidden',
  '8',
  '--embedding',
  '4',
  '--layers',
  '1',
  '--heads',
  '2',
  '--key-dim',
  '4',
  '--backend',
  'cpu',
];

describe('cwb gt', () => {
  it('trains on synthetic holdings, saves the model in the store, then embeds and predicts with it', async () => {
    const data = tempDir();
    const files = tempDir(); // --out never goes into the data folder
    dirs.push(data, files);
    const trained = await cwb([
      'gt',
      'train',
      '--synthetic',
      ...small,
      '--epochs',
      '3',
      '--validation-dates',
      '1',
      '--data-dir',
      data.path,
      '--json',
      '--out',
      join(files.path, 'model.json'),
    ]);
    expect(trained.code, trained.err).toBe(0);
    const result = JSON.parse(trained.out) as {
      modelId: number;
      datasetId: number;
      parameterCount: number;
      history: unknown[];
      trainDates: string[];
      validationDates: string[];
      trade: { validation: { model: number; pairs: number } };
      backend: string;
    };
    expect(result.history.length).toBe(3);
    expect(result.trainDates).toEqual(['2015-03-31', '2015-06-30']);
    expect(result.validationDates).toEqual(['2015-09-30']);
    expect(result.trade.validation.pairs).toBeGreaterThan(50);
    expect(result.backend).toMatch(/^cpu/);
    const file = JSON.parse(readFileSync(join(files.path, 'model.json'), 'utf8')) as {
      format: string;
      parameterCount: number;
    };
    expect(file.format).toBe('contagion-workbench/graph-transformer@1');
    expect(file.parameterCount).toBe(result.parameterCount);
    expect(trained.err).toMatch(/epoch 3\/3: train loss/);

    const embedded = await cwb(['gt', 'embed', String(result.modelId), '--data-dir', data.path, '--json']);
    expect(embedded.code, embedded.err).toBe(0);
    const map = JSON.parse(embedded.out) as { date: string; points: Array<{ kind: string }>; explained: number[] };
    expect(map.date).toBe('2015-12-31');
    expect(map.points.filter((p) => p.kind === 'investor').length).toBe(40);
    expect(map.points.length).toBe(120);
    expect(map.explained[0]!).toBeGreaterThanOrEqual(map.explained[1]!);

    // --out: an existing file is kept without --force and replaced (whole, atomically) with it.
    const csvOut = join(files.path, 'embeddings.csv');
    writeFileSync(csvOut, 'MINE');
    const kept = await cwb(['gt', 'embed', String(result.modelId), '--data-dir', data.path, '--out', csvOut]);
    expect(kept.code).toBe(2);
    expect(kept.err).toBe(`cwb: ${csvOut} exists; add --force to replace it`);
    expect(readFileSync(csvOut, 'utf8')).toBe('MINE');
    const replaced = await cwb([
      'gt',
      'embed',
      String(result.modelId),
      '--data-dir',
      data.path,
      '--out',
      csvOut,
      '--force',
    ]);
    expect(replaced.code, replaced.err).toBe(0);
    expect(readFileSync(csvOut, 'utf8').split('\n')).toHaveLength(122);

    const predicted = await cwb([
      'gt',
      'predict',
      String(result.modelId),
      '--date',
      '2015-06-30',
      '--data-dir',
      data.path,
      '--json',
    ]);
    expect(predicted.code, predicted.err).toBe(0);
    const predictions = (
      JSON.parse(predicted.out) as { predictions: Array<{ predicted: number; actual: number | null }> }
    ).predictions;
    expect(predictions.length).toBeGreaterThan(100);
    expect(predictions.some((p) => p.actual !== null)).toBe(true);

    // The same synthetic holdings again are the same dataset, not a copy.
    const again = await cwb([
      'gt',
      'train',
      '--synthetic',
      ...small,
      '--epochs',
      '1',
      '--validation-dates',
      '1',
      '--data-dir',
      data.path,
      '--json',
    ]);
    expect((JSON.parse(again.out) as { datasetId: number }).datasetId).toBe(result.datasetId);
  });

  it('trains on mini-batches of investors with --batch-investors; the saved model and its brief record it', async () => {
    const data = tempDir();
    const files = tempDir();
    dirs.push(data, files);
    /** Two epochs on the small synthetic holdings (40 investors, the last date for validation): the --json output. */
    const train = async (...extra: string[]) => {
      const run = await cwb([
        'gt',
        'train',
        '--synthetic',
        ...small,
        '--epochs',
        '2',
        '--validation-dates',
        '1',
        '--data-dir',
        data.path,
        '--json',
        ...extra,
      ]);
      expect(run.code, run.err).toBe(0);
      return JSON.parse(run.out) as {
        modelId: number;
        runId: number;
        settings: { batchInvestors?: number };
        history: Array<{ trainLoss: number }>;
      };
    };
    const batched = await train('--batch-investors', '15', '--out', join(files.path, 'm.json'));
    expect(batched.settings.batchInvestors).toBe(15);
    const file = JSON.parse(readFileSync(join(files.path, 'm.json'), 'utf8')) as {
      settings: { batchInvestors?: number };
    };
    expect(file.settings.batchInvestors).toBe(15);
    // Without the flag: whole-graph steps (another training loss, same seed), and no batch size recorded.
    const whole = await train();
    // The readable summary says how it trained.
    const summary = async (...extra: string[]) =>
      (await cwb(['gt', 'train', '--synthetic', ...small, '--epochs', '1', '--data-dir', data.path, ...extra])).out;
    const plain = await summary();
    expect(plain).toMatch(/, seed 1, whole graph\n/);
    // the backend in words, not its identifier ("backend cpu (on …)")
    expect(plain).toMatch(/parameters, backend (CPU \(plain JavaScript\)|WebAssembly|WebGPU|TensorFlow native)/);
    expect(plain).not.toMatch(/backend (cpu|wasm|webgpu)\b/);
    expect(await summary('--batch-investors', '15')).toMatch(/, seed 1, mini-batches: 15 investors\n/);

    // The store (what the Models screen and briefs read) records both, and a brief says each in words.
    const app = createApp({ dataDir: data.path, transport: 'cli', key: testStoreKey() });
    try {
      expect((await call(app.router, 'models:get', { id: batched.modelId })).settings.batchInvestors).toBe(15);
      const method = async (runId: number) =>
        (
          await composeBrief(app.db, { runIds: [runId], title: 'Mini-batches', marking: 'TEST' })
        ).sections[0]!.method.join(' ');
      expect(await method(batched.runId)).toContain(
        "each step on a mini-batch of 15 investors' subgraph (memory bounded by the batch)",
      );
      expect(await method(whole.runId)).toContain('each step on the whole holdings graph');
    } finally {
      await app.close();
    }
  });

  it('refuses a bad --batch-investors in one line with exit code 2, creating nothing', async () => {
    const data = tempDir();
    dirs.push(data);
    for (const value of ['0', '2.5', 'many', '1000001']) {
      const bad = await cwb(['gt', 'train', '--synthetic', '--batch-investors', value, '--data-dir', data.path]);
      expect(bad.code, value).toBe(2);
      expect(bad.err.trim().split('\n')).toHaveLength(1);
      expect(bad.err).toMatch(/--batch-investors must be a whole number, 1 ≤ N ≤ 1,000,000, got "/);
    }
    const listed = await cwb(['list', '--data-dir', data.path, '--json']);
    expect(listed.out).not.toMatch(/Synthetic/);
    const help = await cwb(['help', 'gt']);
    expect(help.out).toMatch(/--batch-investors N\s+investors per mini-batch/);
  });

  it('refuses bad input with exit code 2 and a one-line reason, creating nothing', async () => {
    const data = tempDir();
    dirs.push(data);
    const bad = await cwb(['gt', 'train', '--synthetic', '--hidden', '0', '--data-dir', data.path]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--hidden must be a whole number, 2 ≤ D ≤ 1,024/);
    const listed = await cwb(['list', '--data-dir', data.path, '--json']);
    expect(listed.out).not.toMatch(/Synthetic/);
    expect((await cwb(['gt', 'train', '--dataset', '99', '--data-dir', data.path])).err).toMatch(
      /no dataset with id 99/,
    );
    expect((await cwb(['gt', 'fit', '--data-dir', data.path])).code).toBe(2);
    expect((await cwb(['gt', 'embed', '7', '--data-dir', data.path])).err).toMatch(
      /no graph-transformer model with id 7/,
    );
    const tooFew = await cwb(['gt', 'train', '--eba-sovereign', '--data-dir', data.path]);
    expect(tooFew.code).toBe(2);
    expect(tooFew.err).toMatch(/1 report date\(s\); training needs at least 3/);
  });
});
