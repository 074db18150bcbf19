/** What every handler receives: the data folder, the store, the job manager and the router of one running app (built by createApp in app.ts). */
import type { AppInfo } from '../../src-shared/domain';
import type { ApiResult } from '../../src-shared/errors';
import type { JobEvent } from '../../src-shared/jobs';
import type { BriefComposer } from '../jobs/brief-composer';
import type { JobManager } from '../jobs/manager';
import type { Db } from '../store/db';
import type { FileHandles } from './file-handles';

export interface AppContext {
  dataDir: string;
  db: Db;
  /** True when the data folder or the store cannot be written: reads work, writes are refused. */
  readOnly: boolean;
  /** A second connection to the same store with the same key (for work that holds a transaction open); the caller closes it. */
  openConnection(): Db;
  jobs: JobManager;
  /** The Briefs screen's previews, composed in a worker thread with progress and cancel (jobs/brief-composer.ts). */
  briefComposer: BriefComposer;
  /**
   * Calls `watcher` with every job event (and every brief composition's, kind 'brief') until the returned function
   * is called: the shell and the host forward them to the renderer, the command line shows them as progress.
   */
  watchJobs(watcher: (event: JobEvent) => void): () => void;
  router: Router;
  /** Files the user picked, by handle: read here, never sent across as content (file-handles.ts). */
  files: FileHandles;
  info(): AppInfo;
  close(): Promise<void>;
}

/** The one router: any channel and payload in, the `{ ok, value } | { ok: false, error }` envelope out (router.ts). */
export interface Router {
  handle(channel: unknown, payload: unknown): Promise<ApiResult<unknown>>;
}
