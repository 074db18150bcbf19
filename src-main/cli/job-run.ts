/**
 * An analysis from the command line runs as it does in the app: the job starts through the router (`jobs:start`:
 * the job's own parameter schema, limits and queue), its progress goes to standard error — one line redrawn with a
 * bar on a terminal, a line every few seconds otherwise, nothing on standard output — Ctrl+C cancels it (a cancelled
 * job saves nothing), and the saved run comes back through `runs:get`.
 */
import type { EventEmitter } from 'node:events';
import { runOfKind, type RunDetailOf } from '../../src-shared/domain';
import type { JobEvent, JobKind } from '../../src-shared/jobs';
import { call } from '../api/router';
import type { AppContext } from '../app';
import { UsageError, type CommandIo } from './command';

/** Ctrl+C while a job ran: the job was cancelled and nothing saved (exit code 130, as shells expect). */
export class InterruptedError extends UsageError {
  readonly exitCode = 130;
}

export interface JobRunOptions {
  /** Where Ctrl+C arrives (default: the process). */
  interrupts?: Pick<EventEmitter, 'once' | 'off'>;
  /** Least time between two progress lines when standard error is not a terminal (default 2 s). */
  lineIntervalMs?: number;
}

const BAR_WIDTH = 24;

/** "[██████░░░░░░]  52%  Clearing scenarios" — the bar only on a terminal. */
export function progressLine(label: string, event: JobEvent, terminal: boolean): string {
  const percent = `${Math.round(100 * Math.min(1, Math.max(0, event.fraction)))}%`.padStart(4);
  const stage = event.stage ? `  ${event.stage}` : '';
  if (!terminal) return `${label}: ${percent.trim()}${stage}`;
  const filled = Math.round(BAR_WIDTH * Math.min(1, Math.max(0, event.fraction)));
  return `${label}  [${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}] ${percent}${stage}`;
}

/**
 * Starts `kind` with `params` through the router (which validates them), follows it to its end and returns the run
 * it saved, typed by the kind.
 */
export async function runJob<K extends JobKind>(
  app: AppContext,
  io: CommandIo,
  kind: K,
  params: unknown,
  label: string,
  options: JobRunOptions = {},
): Promise<RunDetailOf<K>> {
  const interrupts = options.interrupts ?? process;
  const lineIntervalMs = options.lineIntervalMs ?? 2000;
  let jobId: string | undefined;
  const early: JobEvent[] = [];
  let lastLine = 0;
  let lastStatus = '';
  let finish: (event: JobEvent) => void = () => {};
  const finished = new Promise<JobEvent>((resolve) => (finish = resolve));

  const show = (event: JobEvent) => {
    const over = event.status === 'succeeded' || event.status === 'failed' || event.status === 'cancelled';
    if (io.status) {
      io.status(progressLine(label, event, true), over);
    } else {
      const now = Date.now();
      if (over || event.status !== lastStatus || now - lastLine >= lineIntervalMs) {
        io.err(progressLine(label, event, false));
        lastLine = now;
      }
    }
    lastStatus = event.status;
    if (over) finish(event);
  };
  const stopWatching = app.watchJobs((event) => {
    if (jobId === undefined) early.push(event);
    else if (event.jobId === jobId) show(event);
  });
  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
    io.err(`${label}: cancelling (Ctrl+C); nothing will be saved`);
    if (jobId !== undefined) void call(app.router, 'jobs:cancel', { jobId });
  };
  interrupts.once('SIGINT', onInterrupt);
  try {
    ({ jobId } = await call(app.router, 'jobs:start', { kind, params }));
    for (const event of early) if (event.jobId === jobId) show(event);
    if (interrupted) void call(app.router, 'jobs:cancel', { jobId });
    const end = await finished;
    if (end.status === 'cancelled') throw new InterruptedError(`${label} cancelled; nothing was saved`);
    if (end.status !== 'succeeded' || end.runId === undefined)
      throw new UsageError(`${label} failed: ${end.error ?? 'no reason given'}`);
    return runOfKind(await call(app.router, 'runs:get', { id: end.runId }), kind);
  } finally {
    interrupts.off('SIGINT', onInterrupt);
    stopWatching();
  }
}
