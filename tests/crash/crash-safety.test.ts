/**
 * Crash safety (docs/data-protection/numbers-and-crashes.md): real `cwb` processes, and the app's first start,
 * killed with SIGKILL at seeded random moments. After every kill the store is opened the way the app opens it
 * (createApp, the key from CWB_KEY_FILE) and must pass `PRAGMA integrity_check` and `foreign_key_check`; no
 * dataset may be partial (a holdings dataset has every row of its file, a network dataset its versions, the EBA
 * sample its maximum-entropy version, a saved run its results); and the same command run again must succeed.
 *
 * Three kinds of trial, each on a fresh data folder:
 *  - `cwb import HOLDINGS.csv --holdings` of a 100,000-row file;
 *  - `cwb demo` on an empty folder: the network import of the first-start seeding, a stress job, its saved run
 *    and a brief;
 *  - the first start itself (tests/crash/seed-child.ts: createApp then seedSamples, as the host and the shell do),
 *    killed during the seeding; the next start must leave the EBA sample complete.
 *
 * Kill moments: uniform between the moment the process's work on the store begins (the store file appears, or
 * the child says "open") and the end of that work, measured on a first run that is not killed. The random stream
 * is seeded (CWB_CRASH_SEED, default below); every assertion message names the seed and the trial.
 * The re-runs call the command's own entry point (`main` of src-main/cli/main.ts) in this process: the same code
 * and store as the `cwb` binary, without a second start-up per trial.
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src-main/app';
import { main } from '../../src-main/cli/main';
import { Rng } from '../../src-main/engines/random';
import { seedSamples } from '../../src-main/api/samples';
import { DATABASE_FILE, type Db } from '../../src-main/store/db';
import { repoRoot, tempDir } from '../support/fixtures';
import { testStoreKey } from '../support/store-key';

const SEED = Number(process.env.CWB_CRASH_SEED ?? 20_251_202);
const CWB = join(repoRoot, 'bin/cwb.mjs');
const SEED_CHILD = join(repoRoot, 'tests/crash/seed-child.ts');
const HOLDINGS_ROWS = 100_000;
const EBA_FILE = 'eba-2011-disclosure.csv';

const work = tempDir('cwb-crash-');
const holdingsFile = join(work.path, 'holdings.csv');
let folders = 0;
const freshFolder = () => join(work.path, `data-${++folders}`);

beforeAll(() => {
  const lines = ['investor,asset,date,amount'];
  for (let k = 0; k < HOLDINGS_ROWS; k++)
    lines.push(`INV${k % 400},ISIN${Math.floor(k / 400) % 250},2024-03-31,${(k % 997) + 0.25}`);
  writeFileSync(holdingsFile, `${lines.join('\n')}\n`);
});
afterAll(() => work.remove());

interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from the spawn to the anchor (store file seen, or "open" written); null when never reached. */
  anchorMs: number | null;
  endMs: number;
}

/**
 * Runs a child to its end, or kills it with SIGKILL `killAfterMs` after its anchor: the store file appearing in
 * `dataDir` ('store'), or the line "open" on its standard output ('open').
 */
function runChild(args: string[], dataDir: string, anchor: 'store' | 'open', killAfterMs?: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: repoRoot, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let anchorMs: number | null = null;
    let killTimer: NodeJS.Timeout | undefined;
    const reached = () => {
      if (anchorMs !== null) return;
      anchorMs = performance.now() - started;
      if (killAfterMs !== undefined) killTimer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    };
    const poll =
      anchor === 'store' ? setInterval(() => existsSync(join(dataDir, DATABASE_FILE)) && reached(), 2) : undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (anchor === 'open' && /^open$/m.test(stdout)) reached();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(killTimer);
      resolve({ code, signal, stdout, stderr, anchorMs, endMs: performance.now() - started });
    });
  });
}

/** Opens the store as the app does, hands it to `look`, closes it. */
async function withStore<T>(dataDir: string, look: (db: Db) => T): Promise<T> {
  const app = createApp({ dataDir, transport: 'cli', key: testStoreKey() });
  try {
    return look(app.db);
  } finally {
    await app.close();
  }
}

interface StoreState {
  integrity: string;
  foreignKeyViolations: number;
  /** One line per partial thing found (empty when everything present is complete). */
  partial: string[];
  holdingsDatasets: number;
  ebaVersions: number | null;
  runs: number;
}

/** Everything the kill may not have broken. */
function inspect(db: Db): StoreState {
  const integrity = (db.pragma('integrity_check') as Array<{ integrity_check: string }>)
    .map((row) => row.integrity_check)
    .join('; ');
  const foreignKeyViolations = (db.pragma('foreign_key_check') as unknown[]).length;
  const partial: string[] = [];
  const holdings = db
    .prepare(
      "SELECT d.id, (SELECT COUNT(*) FROM positions p WHERE p.dataset_id = d.id) AS n FROM datasets d WHERE d.kind = 'holdings'",
    )
    .all() as Array<{ id: number; n: number }>;
  for (const { id, n } of holdings)
    if (n !== HOLDINGS_ROWS) partial.push(`holdings dataset ${id} has ${n} of ${HOLDINGS_ROWS} rows`);
  const networkDatasets = db
    .prepare(
      "SELECT d.id, d.source_file AS file, (SELECT COUNT(*) FROM networks n JOIN network_versions v ON v.network_id = n.id WHERE n.dataset_id = d.id) AS versions FROM datasets d WHERE d.kind IN ('network', 'banks')",
    )
    .all() as Array<{ id: number; file: string; versions: number }>;
  let ebaVersions: number | null = null;
  for (const { id, file, versions } of networkDatasets) {
    if (versions === 0) partial.push(`network dataset ${id} has no version`);
    if (file === EBA_FILE) {
      ebaVersions = versions;
      if (versions < 2) partial.push(`the EBA sample (dataset ${id}) has no maximum-entropy version`);
    }
  }
  const runs = db.prepare('SELECT id, status, results FROM runs').all() as Array<{
    id: number;
    status: string;
    results: string | null;
  }>;
  for (const run of runs) {
    const results = run.results ? (JSON.parse(run.results) as { expectedLoss?: unknown }) : null;
    if (run.status !== 'succeeded' || !results || typeof results.expectedLoss !== 'number')
      partial.push(`run ${run.id} is ${run.status} without complete results`);
  }
  const briefs = db.prepare('SELECT id, length(content) AS bytes FROM briefs').all() as Array<{
    id: number;
    bytes: number | null;
  }>;
  for (const brief of briefs) if (!brief.bytes) partial.push(`brief ${brief.id} has no content`);
  return {
    integrity,
    foreignKeyViolations,
    partial,
    holdingsDatasets: holdings.length,
    ebaVersions,
    runs: runs.length,
  };
}

/** `cwb ARGS` through its entry point in this process: exit code and what it wrote. */
async function cwbInProcess(args: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await main(args, { out: (text) => void lines.push(text), err: (text) => void lines.push(text) });
  return { code, text: lines.join('\n') };
}

interface Tally {
  trials: number;
  corruptions: number;
  partial: number;
  failedReruns: number;
  finishedBeforeKill: number;
  notes: string[];
}
const tallies: Record<string, Tally> = {};
const tally = (kind: string): Tally =>
  (tallies[kind] ??= { trials: 0, corruptions: 0, partial: 0, failedReruns: 0, finishedBeforeKill: 0, notes: [] });

afterAll(() => {
  const total = Object.values(tallies).reduce(
    (sum, t) => ({
      trials: sum.trials + t.trials,
      corruptions: sum.corruptions + t.corruptions,
      partial: sum.partial + t.partial,
      failedReruns: sum.failedReruns + t.failedReruns,
    }),
    { trials: 0, corruptions: 0, partial: 0, failedReruns: 0 },
  );
  const lines = Object.entries(tallies).map(
    ([kind, t]) =>
      `  ${kind}: ${t.trials} trials (${t.finishedBeforeKill} finished before the kill), ${t.corruptions} corruptions, ${t.partial} partial, ${t.failedReruns} failed re-runs` +
      (t.notes.length ? `; killed ${t.notes.join(', ')}` : ''),
  );
  console.log(
    [
      `crash safety (seed ${SEED}): ${total.trials} trials, ${total.corruptions} corruptions, ${total.partial} partial datasets, ${total.failedReruns} failed re-runs`,
      ...lines,
    ].join('\n'),
  );
});

/** Checks one killed store; returns its state (counting what is wrong in the tally). */
async function checkAfterKill(kind: string, trial: string, dataDir: string): Promise<StoreState | null> {
  const t = tally(kind);
  if (!existsSync(join(dataDir, DATABASE_FILE))) return null;
  const state = await withStore(dataDir, inspect);
  if (state.integrity !== 'ok' || state.foreignKeyViolations > 0) t.corruptions++;
  if (state.partial.length > 0) t.partial++;
  expect(state.integrity, `${trial}: integrity_check`).toBe('ok');
  expect(state.foreignKeyViolations, `${trial}: foreign_key_check`).toBe(0);
  expect(state.partial, `${trial}: partial data`).toEqual([]);
  return state;
}

/** The phase a demo child was in when it died, from what it had written. */
function demoPhase(run: ChildRun): string {
  if (run.stderr.includes('wrote CSV brief')) return 'after the brief';
  if (run.stderr.includes('saved stress run')) return 'writing the brief';
  if (run.stderr.includes('demo: stress test')) return 'in the stress job';
  return 'while seeding';
}

/** `count` kill moments uniform in [0, window) ms, drawn from the seeded stream `stream`. */
function killMoments(stream: number, count: number, window: number): number[] {
  const rng = new Rng(SEED, stream);
  return Array.from({ length: count }, () => rng.uniform() * window);
}

interface TrialKind {
  kind: string;
  /** The seeded stream of its kill moments. */
  stream: number;
  count: number;
  /** The child's arguments (after the Node executable) for a data folder. */
  child: (dir: string) => string[];
  anchor: 'store' | 'open';
  /** The length of the window the kills fall in, from an un-killed first run. */
  window: (first: ChildRun) => number;
  /** Un-killed first runs; the shortest window counts (default 1). */
  calibrations?: number;
  /** What the child had done when it died, for the report. */
  describe: (run: ChildRun, killAfter: number) => string;
  /** Runs the command again (or the next start) on the killed folder and checks it succeeded. */
  again: (dir: string, trial: string, state: StoreState | null, t: Tally) => Promise<void>;
}

/**
 * One un-killed first run (which must succeed and leave `expected` in its store), then `count` trials, two at a
 * time, each on a fresh folder: the child killed at its moment, the store checked, the command run again.
 */
async function killTrials(spec: TrialKind, expected: Partial<StoreState>): Promise<void> {
  let window = Infinity;
  for (let c = 0; c < (spec.calibrations ?? 1); c++) {
    const first = freshFolder();
    const calibration = await runChild(spec.child(first), first, spec.anchor);
    expect(calibration.code, calibration.stderr).toBe(0);
    expect(await withStore(first, inspect)).toMatchObject({ integrity: 'ok', partial: [], ...expected });
    window = Math.min(window, spec.window(calibration));
  }
  expect(window).toBeGreaterThan(0);
  const moments = killMoments(spec.stream, spec.count, window);
  const t = tally(spec.kind);
  let next = 0;
  const lane = async () => {
    while (next < moments.length) {
      const k = next++;
      const trial = `seed ${SEED}, ${spec.kind} trial ${k}`;
      const dir = freshFolder();
      const run = await runChild(spec.child(dir), dir, spec.anchor, moments[k]);
      t.trials++;
      if (run.signal !== 'SIGKILL') t.finishedBeforeKill++;
      t.notes.push(spec.describe(run, moments[k]!));
      const state = await checkAfterKill(spec.kind, trial, dir);
      await spec.again(dir, trial, state, t);
    }
  };
  await Promise.all([lane(), lane()]);
}

const storeWindow = (first: ChildRun) => first.endMs - first.anchorMs!;

describe('crash safety: SIGKILL at random moments', () => {
  it('a holdings import of 100,000 rows leaves the dataset whole or absent, and the import can be run again', async () => {
    const args = (dir: string) => ['import', holdingsFile, '--holdings', '--data-dir', dir];
    await killTrials(
      {
        kind: 'holdings import',
        stream: 1,
        count: 10,
        child: (dir) => [CWB, ...args(dir)],
        anchor: 'store',
        window: storeWindow,
        describe: (run, killAfter) =>
          `${Math.round(killAfter)} ms in (${[...run.stderr.matchAll(/([\d,]+) rows/g)].at(-1)?.[1] ?? '0'} rows read)`,
        again: async (dir, trial, state, t) => {
          const rerun = await cwbInProcess(args(dir));
          const imported = rerun.code === 0;
          const refusedAsDuplicate =
            rerun.code === 2 && /already imported/.test(rerun.text) && state?.holdingsDatasets === 1;
          if (!imported && !refusedAsDuplicate) t.failedReruns++;
          expect(imported || refusedAsDuplicate, `${trial}: re-run exited ${rerun.code}: ${rerun.text}`).toBe(true);
          if (imported)
            expect(await withStore(dir, inspect), `${trial}: after the re-run`).toMatchObject({
              integrity: 'ok',
              partial: [],
              holdingsDatasets: 1,
            });
        },
      },
      { holdingsDatasets: 1 },
    );
  }, 600_000);

  it('cwb demo (network import by seeding, stress job, saved run, brief) leaves no partial data, and runs again', async () => {
    const args = (dir: string) => [
      'demo',
      '--samples',
      '500',
      '--out',
      `${dir}-brief.csv`,
      '--force',
      '--data-dir',
      dir,
    ];
    await killTrials(
      {
        kind: 'network import + stress run',
        stream: 2,
        count: 10,
        child: (dir) => [CWB, ...args(dir)],
        anchor: 'store',
        window: storeWindow,
        describe: (run, killAfter) => `${Math.round(killAfter)} ms in (${demoPhase(run)})`,
        again: async (dir, trial, _state, t) => {
          const rerun = await cwbInProcess(args(dir));
          if (rerun.code !== 0) t.failedReruns++;
          expect(rerun.code, `${trial}: re-run: ${rerun.text}`).toBe(0);
          const after = await withStore(dir, inspect);
          expect(after.partial, `${trial}: after the re-run`).toEqual([]);
          expect(after.ebaVersions, `${trial}: the EBA sample after the re-run`).toBe(2);
          expect(after.runs, `${trial}: saved runs after the re-run`).toBeGreaterThanOrEqual(1);
        },
      },
      { ebaVersions: 2, runs: 1 },
    );
  }, 600_000);

  it('a first start killed while seeding the samples is completed by the next start', async () => {
    await killTrials(
      {
        kind: 'first-start seeding',
        stream: 3,
        count: 3,
        child: (dir) => ['--import', 'tsx', SEED_CHILD, dir],
        anchor: 'open',
        // the seeding alone takes a few hundred milliseconds: two first runs, the shorter one sets the window
        window: (first) => Number(/seeded ([\d.]+)/.exec(first.stdout)?.[1]),
        calibrations: 2,
        describe: (run, killAfter) =>
          `${Math.round(killAfter)} ms into the seeding${run.stdout.includes('seeded') ? ' (it had finished)' : ''}`,
        again: async (dir, trial, _state, t) => {
          // the next start: open the store and seed, as the host and the shell do
          const next = createApp({ dataDir: dir, transport: 'browser', key: testStoreKey() });
          try {
            seedSamples(next.db);
            const after = inspect(next.db);
            if (after.ebaVersions !== 2 || after.partial.length > 0) t.failedReruns++;
            expect(after, `${trial}: after the next start`).toMatchObject({
              integrity: 'ok',
              partial: [],
              ebaVersions: 2,
            });
          } finally {
            await next.close();
          }
        },
      },
      { ebaVersions: 2 },
    );
  }, 300_000);
});
