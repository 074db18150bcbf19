/**
 * Every `--out` of cwb goes through io/safe-write.ts: never into the data folder (even with --force), never over
 * an existing file without --force, a missing folder or a full disk in one line — and the store is untouched.
 */
import { spawnSync } from 'node:child_process';
import fs, { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src-main/app';
import { main } from '../../src-main/cli/main';
import { briefs } from '../../src-main/store/briefs';
import { importNetwork, savedStressRun, sixBanks } from '../briefs/support';
import { testStoreKey } from '../support/store-key';
import { repoRoot, tempDir } from '../support/fixtures';

async function cwb(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (text) => out.push(text), err: (text) => err.push(text) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

let data: { path: string; remove(): void };
let files: { path: string; remove(): void } | undefined;
let runId: number;
let versionId: number;

beforeAll(async () => {
  data = tempDir('cwb-data-');
  const app = createApp({ dataDir: data.path, transport: 'cli', key: testStoreKey() });
  versionId = await importNetwork(app, sixBanks());
  runId = await savedStressRun(app, versionId);
  await app.close();
});
afterAll(() => data.remove());

afterEach(() => {
  vi.restoreAllMocks();
  files?.remove();
});

const STORE = () => join(data.path, 'workbench.sqlite');
const d = () => ['--data-dir', data.path];

/** What the store holds, through cwb itself: it must open and list the same after every refusal. */
async function listing(): Promise<unknown> {
  const listed = await cwb(['list', '--json', ...d()]);
  expect(listed.code, listed.err).toBe(0);
  return JSON.parse(listed.out);
}

function storedBriefs(): number {
  const app = createApp({ dataDir: data.path, transport: 'cli', key: testStoreKey() });
  try {
    return briefs.list(app.db).length;
  } finally {
    void app.close();
  }
}

async function expectRefused(args: string[], reason: RegExp) {
  const result = await cwb(args);
  expect(result.code, `${args.join(' ')}: ${result.err}`).toBe(2);
  expect(result.err).toMatch(reason);
  expect(result.err.trim().split('\n')).toHaveLength(1);
  expect(result.err).not.toMatch(/\bat .*\.ts:\d+/);
}

function outFolder() {
  files = tempDir('cwb-out-');
  return files.path;
}

describe('cwb export --out', () => {
  it('the headline attack: `cwb export 2 --out DATA/workbench.sqlite --format json` exits 2 and the store survives', async () => {
    const before = await listing();
    const attack = spawnSync(
      process.execPath,
      [
        join(repoRoot, 'bin/cwb.mjs'),
        'export',
        String(versionId),
        '--out',
        STORE(),
        '--format',
        'json',
        '--data-dir',
        data.path,
      ],
      { encoding: 'utf8' },
    );
    expect(attack.status).toBe(2);
    expect(attack.stderr.trim()).toBe(
      `cwb: cannot write to ${STORE()}: it is inside the data folder ${data.path}, which only the store writes; choose a file elsewhere`,
    );
    expect(await listing()).toEqual(before);
  }, 120_000);

  it('refuses the data folder in every format and with --force; the store opens and lists the same datasets', async () => {
    const before = await listing();
    for (const extra of [
      ['--format', 'json'],
      ['--format', 'csv'],
      ['--format', 'xlsx'],
      ['--format', 'graphml', '--force'],
    ]) {
      await expectRefused(['export', String(versionId), '--out', STORE(), ...extra, ...d()], /inside the data folder/);
    }
    await expectRefused(
      ['export', String(versionId), '--out', join(data.path, '..', basename(data.path), 'x.json'), ...d()],
      /inside the data folder/,
    );
    await expectRefused(
      ['export', String(versionId), '--out', data.path, '--format', 'json', '--force', ...d()],
      /inside the data folder/,
    );
    expect(await listing()).toEqual(before);
  });

  it('refuses an existing file without --force and replaces it with --force; the CSV pair is checked before either is written', async () => {
    const folder = outFolder();
    const out = join(folder, 'six.json');
    writeFileSync(out, 'MINE');
    await expectRefused(
      ['export', String(versionId), '--out', out, ...d()],
      new RegExp(`${out} exists; add --force to replace it`),
    );
    expect(readFileSync(out, 'utf8')).toBe('MINE');
    expect((await cwb(['export', String(versionId), '--out', out, '--force', ...d()])).code).toBe(0);
    expect((JSON.parse(readFileSync(out, 'utf8')) as { nodes: unknown[] }).nodes).toHaveLength(6);

    writeFileSync(join(folder, 'six-liabilities.csv'), 'MINE');
    await expectRefused(
      ['export', String(versionId), '--out', join(folder, 'six.csv'), ...d()],
      /six-liabilities\.csv exists; add --force/,
    );
    expect(readdirSync(folder).sort()).toEqual(['six-liabilities.csv', 'six.json']);
    expect((await cwb(['export', String(versionId), '--out', join(folder, 'six.csv'), '--force', ...d()])).code).toBe(
      0,
    );
    expect(readdirSync(folder).sort()).toEqual(['six-liabilities.csv', 'six-nodes.csv', 'six.json']);
  });

  it('names a missing folder in one line', async () => {
    const folder = outFolder();
    await expectRefused(
      ['export', String(versionId), '--out', join(folder, 'no', 'six.json'), ...d()],
      new RegExp(`^cwb: the folder ${join(folder, 'no')} does not exist$`),
    );
  });

  it('documents --force', async () => {
    expect((await cwb(['help', 'export'])).out).toMatch(/--force\s+replace an existing --out file/);
  });
});

describe('cwb brief and cwb demo --out', () => {
  it('`cwb brief --runs N --out DATA/workbench.sqlite` is refused (also with --force): no brief saved, the store intact', async () => {
    const before = await listing();
    const saved = storedBriefs();
    await expectRefused(
      ['brief', '--runs', String(runId), '--out', STORE(), '--format', 'pdf', ...d()],
      /inside the data folder/,
    );
    await expectRefused(
      ['brief', '--runs', String(runId), '--out', STORE(), '--format', 'csv', '--force', ...d()],
      /inside the data folder/,
    );
    expect(await listing()).toEqual(before);
    expect(storedBriefs()).toBe(saved);
  });

  it('refuses an existing file without --force, replaces it with --force, names a missing folder', async () => {
    const folder = outFolder();
    const out = join(folder, 'brief.csv');
    writeFileSync(out, 'MINE');
    const saved = storedBriefs();
    await expectRefused(
      ['brief', '--runs', String(runId), '--out', out, ...d()],
      /brief\.csv exists; add --force to replace it/,
    );
    expect(readFileSync(out, 'utf8')).toBe('MINE');
    expect(storedBriefs()).toBe(saved);
    const replaced = await cwb(['brief', '--runs', String(runId), '--out', out, '--force', ...d()]);
    expect(replaced.code, replaced.err).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^# /);
    expect(storedBriefs()).toBe(saved + 1);
    await expectRefused(
      ['brief', '--runs', String(runId), '--out', join(folder, 'no', 'b.pdf'), ...d()],
      /^cwb: the folder .*no does not exist$/,
    );
    expect((await cwb(['help', 'brief'])).out).toMatch(/--force/);
  });

  it('a full disk while writing the brief leaves no file and no saved brief', async () => {
    const folder = outFolder();
    const out = join(folder, 'brief.pdf');
    const saved = storedBriefs();
    vi.spyOn(fs, 'writeSync').mockImplementation(() => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    await expectRefused(
      ['brief', '--runs', String(runId), '--out', out, ...d()],
      new RegExp(`^cwb: the disk is full while writing ${out}; nothing was written$`),
    );
    vi.restoreAllMocks();
    expect(readdirSync(folder)).toEqual([]);
    expect(storedBriefs()).toBe(saved);
  });

  it('`cwb demo` refuses its --out before running anything', async () => {
    const before = await listing();
    await expectRefused(
      ['demo', '--out', STORE(), '--format', 'pdf', '--samples', '100', ...d()],
      /inside the data folder/,
    );
    const folder = outFolder();
    writeFileSync(join(folder, 'demo.pdf'), 'MINE');
    await expectRefused(
      ['demo', '--out', join(folder, 'demo.pdf'), '--samples', '100', ...d()],
      /demo\.pdf exists; add --force/,
    );
    await expectRefused(
      ['demo', '--out', join(folder, 'no', 'demo.pdf'), '--samples', '100', ...d()],
      /the folder .* does not exist/,
    );
    expect(await listing()).toEqual(before);
    expect((await cwb(['help', 'demo'])).out).toMatch(/--force/);
  });
});

describe('cwb gt --out', () => {
  it('train and embed refuse the data folder, an existing file and a missing folder before any work', async () => {
    const before = await listing();
    await expectRefused(['gt', 'train', '--synthetic', '--out', STORE(), '--force', ...d()], /inside the data folder/);
    await expectRefused(
      ['gt', 'embed', '1', '--out', join(data.path, 'e.csv'), '--force', ...d()],
      /inside the data folder/,
    );
    const folder = outFolder();
    writeFileSync(join(folder, 'e.csv'), 'MINE');
    await expectRefused(['gt', 'embed', '1', '--out', join(folder, 'e.csv'), ...d()], /e\.csv exists; add --force/);
    await expectRefused(
      ['gt', 'train', '--synthetic', '--out', join(folder, 'no', 'model.json'), ...d()],
      /the folder .* does not exist/,
    );
    // With --force the target passes and the command goes on (here: to the missing model).
    await expectRefused(
      ['gt', 'embed', '1', '--out', join(folder, 'e.csv'), '--force', ...d()],
      /no graph-transformer model with id 1/,
    );
    expect(readFileSync(join(folder, 'e.csv'), 'utf8')).toBe('MINE');
    expect(await listing()).toEqual(before);
    expect((await cwb(['help', 'gt'])).out).toMatch(/--force/);
  });
});
