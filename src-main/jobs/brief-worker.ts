/**
 * The brief composer's worker thread (brief-composer.ts): composes the sections of the runs it is sent, one brief
 * at a time, and posts what it is doing as it goes. It stays alive between briefs (charts and engines loaded once);
 * the main thread terminates it to cancel.
 */
import { parentPort } from 'node:worker_threads';
import { AppError } from '../../src-shared/errors';
import { composeSections } from '../io/briefs/compose-sections';
import type { RunContext } from '../io/briefs/context';
import type { BriefWorkerMessage } from './brief-composer';

const port = parentPort;
if (!port) throw new Error('brief-worker must run in a worker thread');
const post = (message: BriefWorkerMessage) => port.postMessage(message);

/** A step's words without its count ("… (3 of 40)"): a new step is always posted, a count at most ten times a second. */
const stepOf = (stage: string) => stage.replace(/ \(\d+ of \d+\)$/, '');

/** Composes the sections of one brief's runs, posting its progress and then the sections or the error (never rejects). */
async function compose(contexts: RunContext[]): Promise<void> {
  let lastStep = '';
  let lastAt = 0;
  try {
    const sections = await composeSections(contexts, (fraction, stage) => {
      const now = Date.now();
      if (stepOf(stage) === lastStep && now - lastAt < 100) return;
      lastStep = stepOf(stage);
      lastAt = now;
      post({ type: 'progress', fraction, stage });
    });
    post({ type: 'result', value: sections });
  } catch (error) {
    post({
      type: 'error',
      message: error instanceof Error ? error.message : String(error),
      ...(error instanceof AppError ? { code: error.code, field: error.field } : {}),
    });
  }
}

port.on('message', ({ contexts }: { contexts: RunContext[] }) => void compose(contexts));
