/**
 * The command line runs an analysis as the app does: through `jobs:start` (the job's schema and limits), with its
 * progress on standard error, Ctrl+C cancelling it with nothing saved, and the saved run read back.
 */
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { call } from '../../src-main/api/router';
import { InterruptedError, progressLine, runJob } from '../../src-main/cli/job-run';
import type { CommandIo } from '../../src-main/cli/command';
import { freshApp } from '../support/app';
import { ringNetwork, picked } from '../support/fixtures';

const apps: Array<ReturnType<typeof freshApp>> = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.dispose()));
});

async function appWithRing() {
  const app = freshApp();
  apps.push(app);
  const { versionId } = await call(
    app.router,
    'datasets:import',
    picked(app, 'ring.json', JSON.stringify(ringNetwork())),
  );
  return { app, versionId };
}

function recordingIo(terminal: boolean) {
  const lines: string[] = [];
  const statuses: Array<{ text: string; final: boolean }> = [];
  const io: CommandIo = {
    out: (text) => lines.push(`out: ${text}`),
    err: (text) => lines.push(text),
    ...(terminal ? { status: (text: string, final: boolean) => statuses.push({ text, final }) } : {}),
  };
  return { io, lines, statuses };
}

describe('an analysis from the command line', () => {
  it('runs as a job and comes back as the saved run, with progress lines on standard error only', async () => {
    const { app, versionId } = await appWithRing();
    const { io, lines } = recordingIo(false);
    const run = await runJob(
      app,
      io,
      'stress',
      { versionId, shockModel: { kind: 'uniform', maxFraction: 0.5 }, samples: 300, seed: 4 },
      'stress',
    );
    expect(run.kind).toBe('stress');
    expect(run.networkVersionId).toBe(versionId);
    expect(run.results.scenarios).toBe(300);
    expect((await call(app.router, 'runs:list', {})).map((r) => r.id)).toEqual([run.id]);
    expect(
      lines.some((line) => line.startsWith('out:')),
      'nothing on standard output',
    ).toBe(false);
    expect(lines.at(-1)).toBe('stress: 100%  done');
  });

  it('draws one bar line that is redrawn and ended on a terminal', async () => {
    const { app, versionId } = await appWithRing();
    const { io, statuses } = recordingIo(true);
    await runJob(
      app,
      io,
      'stress',
      { versionId, shockModel: { kind: 'uniform', maxFraction: 0.5 }, samples: 300, seed: 4 },
      'stress',
    );
    expect(statuses.length).toBeGreaterThan(1);
    expect(statuses.filter((s) => s.final)).toEqual([statuses.at(-1)]);
    expect(statuses.at(-1)!.text).toMatch(/^stress {2}\[█{24}\] 100% {2}done$/);
    expect(
      progressLine('stress', { jobId: 'j', kind: 'stress', status: 'running', fraction: 0.5, stage: 'clearing' }, true),
    ).toBe(`stress  [${'█'.repeat(12)}${'░'.repeat(12)}]  50%  clearing`);
  });

  it('refuses parameters the app refuses, with the job schema’s limit, before anything runs', async () => {
    const { app, versionId } = await appWithRing();
    const { io } = recordingIo(false);
    await expect(
      runJob(
        app,
        io,
        'stress',
        { versionId, shockModel: { kind: 'uniform', maxFraction: 0.5 }, samples: 20_000_000, seed: 1 },
        'stress',
      ),
    ).rejects.toThrow(/samples/i);
    expect(await call(app.router, 'runs:list', {})).toEqual([]);
  });

  it('cancels the job on Ctrl+C and saves nothing', async () => {
    const { app, versionId } = await appWithRing();
    const { io, lines } = recordingIo(false);
    const interrupts = new EventEmitter();
    const stop = app.watchJobs((event) => {
      if (event.status === 'running') interrupts.emit('SIGINT');
    });
    try {
      const running = runJob(
        app,
        io,
        'stress',
        { versionId, shockModel: { kind: 'uniform', maxFraction: 0.5 }, samples: 2_000_000, seed: 1 },
        'stress',
        { interrupts },
      );
      await expect(running).rejects.toBeInstanceOf(InterruptedError);
    } finally {
      stop();
    }
    expect(lines).toContain('stress: cancelling (Ctrl+C); nothing will be saved');
    expect(await call(app.router, 'runs:list', {})).toEqual([]);
    expect(interrupts.listenerCount('SIGINT'), 'the Ctrl+C handler is removed afterwards').toBe(0);
  });
});
