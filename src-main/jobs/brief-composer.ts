/**
 * The Briefs screen's preview, composed in a worker thread so that the main process keeps answering while charts
 * are drawn and tables recomputed: the runs are read from the store in the main thread (briefContexts), their
 * sections composed in the worker (brief-worker.ts), and the brief assembled in the main thread again. What the
 * worker is doing goes out as job events of kind `brief` whose jobId is the composition's id ("Section 2 of 3:
 * stress test, run #4 — charts"), and cancelling terminates the worker: no sections come back, so the caller
 * neither answers with a brief nor records one. One worker is kept warm between previews (the charting library and
 * the engines load once); it ends after some idle minutes, on cancel, and when the app closes.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { BriefSection } from '../../src-shared/briefs';
import { AppError, type ErrorCode } from '../../src-shared/errors';
import type { JobEvent } from '../../src-shared/jobs';
import type { RunContext } from '../io/briefs/context';
import { workerScript } from '../io/worker-script';

/** The worker's messages: progress in words, the sections, or the error (an AppError keeps its code and field). */
export type BriefWorkerMessage =
  | { type: 'progress'; fraction: number; stage: string }
  | { type: 'result'; value: BriefSection[] }
  | { type: 'error'; message: string; code?: ErrorCode; field?: string };

/** The kind of the job events of a composition (not a run kind: a preview saves no run). */
export const BRIEF_EVENT_KIND = 'brief';

/** What a cancelled composition's caller gets instead of sections. */
export const CANCELLED_MESSAGE = 'Composing the brief was cancelled: nothing was shown or saved.';

interface Composition {
  worker: Worker;
  /** Ends the caller's wait with the cancellation; resolves once the worker has stopped. */
  abandon(): Promise<void>;
}

export class BriefComposer {
  private idle: { worker: Worker; timer: NodeJS.Timeout } | undefined;
  private readonly running = new Map<string, Composition>();
  /** Ids cancelled before their composition arrived (a request still on its way), refused when it comes; the newest 100. */
  private readonly cancelledEarly = new Set<string>();
  private closed = false;

  /** `emit` receives the job events of compositions that were given an id; an idle worker ends after `idleMs`. */
  constructor(
    private readonly emit: (event: JobEvent) => void,
    private readonly idleMs = 10 * 60_000,
  ) {}

  /**
   * The sections of the loaded runs, composed in a worker. With an `id`, progress is emitted as job events under it
   * and `cancel(id)` stops the work; a cancelled composition rejects with CANCELLED_MESSAGE (code 'conflict').
   */
  compose(contexts: RunContext[], id?: string): Promise<BriefSection[]> {
    const jobId = id ?? randomUUID();
    if (this.closed) return Promise.reject(new AppError('conflict', 'the app is closing; the brief was not composed'));
    if (this.cancelledEarly.delete(jobId)) return Promise.reject(new AppError('conflict', CANCELLED_MESSAGE));
    if (this.running.has(jobId))
      return Promise.reject(
        new AppError('conflict', 'a brief with this composition id is already being composed', 'compositionId'),
      );
    const warm = this.idle !== undefined;
    const worker = this.takeWorker();
    const event: JobEvent = {
      jobId,
      kind: BRIEF_EVENT_KIND,
      status: 'running',
      fraction: 0,
      stage: warm ? 'Reading the runs' : 'Starting the composer (charts and engines load once)',
    };
    const report = (change: Partial<JobEvent>) => {
      Object.assign(event, change);
      if (id !== undefined) this.emit({ ...event });
    };
    const sections = new Promise<BriefSection[]>((resolve, reject) => {
      const finish = async (
        outcome: { sections: BriefSection[] } | { error: Error; status: 'failed' | 'cancelled' },
      ): Promise<void> => {
        if (!this.running.has(jobId)) return;
        this.running.delete(jobId);
        worker.removeAllListeners('message').removeAllListeners('error').removeAllListeners('exit');
        if ('sections' in outcome) {
          this.release(worker);
          report({ status: 'succeeded', fraction: 1, stage: 'done' });
          resolve(outcome.sections);
        } else {
          report({
            status: outcome.status,
            stage: outcome.status,
            ...(outcome.status === 'failed' ? { error: outcome.error.message } : {}),
          });
          reject(outcome.error);
          // A failed or cancelled worker may be half way through: it is stopped and not used again.
          await worker.terminate();
        }
      };
      this.running.set(jobId, {
        worker,
        abandon: () => finish({ error: new AppError('conflict', CANCELLED_MESSAGE), status: 'cancelled' }),
      });
      worker.on('message', (message: BriefWorkerMessage) => {
        if (message.type === 'progress') report({ fraction: message.fraction, stage: message.stage });
        else if (message.type === 'result') void finish({ sections: message.value });
        else
          void finish({
            error: message.code
              ? new AppError(message.code, message.message, message.field)
              : new Error(message.message),
            status: 'failed',
          });
      });
      worker.on('error', (error) => void finish({ error, status: 'failed' }));
      worker.on(
        'exit',
        (code) => void finish({ error: new Error(`the brief composer stopped (exit code ${code})`), status: 'failed' }),
      );
      worker.postMessage({ contexts });
    });
    // Told once the composition can be cancelled (a listener may cancel it at once).
    report({});
    return sections;
  }

  /**
   * Stops a composition: its worker is terminated, its caller gets the cancellation. An id not (yet) composing is
   * remembered, so that its request, if it is still on its way, is refused when it comes.
   */
  async cancel(id: string): Promise<{ cancelled: boolean }> {
    const composition = this.running.get(id);
    if (composition) {
      await composition.abandon();
      return { cancelled: true };
    }
    this.cancelledEarly.add(id);
    if (this.cancelledEarly.size > 100) this.cancelledEarly.delete(this.cancelledEarly.values().next().value!);
    return { cancelled: false };
  }

  /** How many compositions run, and whether a warm worker waits for the next one. */
  state(): { composing: number; warm: boolean } {
    return { composing: this.running.size, warm: this.idle !== undefined };
  }

  /** Cancels what runs and ends the idle worker (the app is closing). */
  async close(): Promise<void> {
    this.closed = true;
    const stopped = [...this.running.values()].map((composition) => composition.abandon());
    if (this.idle) {
      clearTimeout(this.idle.timer);
      stopped.push(this.idle.worker.terminate().then(() => {}));
      this.idle = undefined;
    }
    await Promise.all(stopped);
  }

  private takeWorker(): Worker {
    if (this.idle) {
      const { worker, timer } = this.idle;
      clearTimeout(timer);
      this.idle = undefined;
      worker.removeAllListeners('exit');
      worker.ref();
      return worker;
    }
    const script = workerScript('brief-worker', 'brief-worker');
    return new Worker(script.file, { workerData: script.workerData });
  }

  /** Keeps a worker that finished as the warm one (unless there is one already), ended after `idleMs` unused. */
  private release(worker: Worker): void {
    if (this.closed || this.idle) {
      void worker.terminate();
      return;
    }
    // An idle worker keeps neither the process nor a timer alive.
    worker.unref();
    const timer = setTimeout(() => {
      if (this.idle?.worker !== worker) return;
      this.idle = undefined;
      void worker.terminate();
    }, this.idleMs);
    timer.unref();
    worker.once('exit', () => {
      if (this.idle?.worker === worker) {
        clearTimeout(this.idle.timer);
        this.idle = undefined;
      }
    });
    this.idle = { worker, timer };
  }
}
