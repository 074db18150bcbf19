/**
 * The application core shared by the Electron shell, the loopback host and `cwb`: one data folder, one
 * database, one job manager, one router.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AppInfo } from '../src-shared/domain';
import type { JobEvent } from '../src-shared/jobs';
import { handlers } from './api/handlers';
import type { AppContext } from './api/context';
import { createRouter, type Handlers } from './api/router';
import { FileHandles } from './api/file-handles';
import { BriefComposer } from './jobs/brief-composer';
import { JobManager } from './jobs/manager';
import { describeLearningBackend } from './learning/backend';
import { softwareVersion } from './version';
import {
  DATABASE_FILE,
  openDatabase,
  removeLeftovers,
  schemaVersion,
  storeFault,
  type Db,
  type StoreKey,
} from './store/db';

export type { AppContext } from './api/context';

export interface AppOptions {
  dataDir: string;
  transport: AppInfo['transport'];
  /** The store's key (see store/store-key.ts); kept in memory only, for further connections. */
  key: StoreKey;
}

/** The data folder: `--data-dir`, else CWB_DATA_DIR, else the platform's user-data folder. */
export function defaultDataDir(): string {
  if (process.env.CWB_DATA_DIR) return process.env.CWB_DATA_DIR;
  const home = homedir();
  if (process.platform === 'win32')
    return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Contagion Workbench');
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'Contagion Workbench');
  return join(process.env.XDG_CONFIG_HOME ?? join(home, '.config'), 'Contagion Workbench');
}

/** The handlers with the store's own faults (read-only, busy) turned into their one-line refusals. */
function withStoreFaults(table: Handlers, dataDir: string): Handlers {
  const guarded = Object.fromEntries(
    Object.entries(table).map(([channel, handler]) => [
      channel,
      async (input: unknown, context: AppContext) => {
        try {
          return await (handler as (input: unknown, context: AppContext) => unknown)(input, context);
        } catch (error) {
          throw storeFault(error, dataDir) ?? error;
        }
      },
    ]),
  );
  return guarded as unknown as Handlers;
}

/** The components of the runtime shown on the About screen, by their product names. */
const RUNTIME_NAMES: Record<string, string> = {
  electron: 'Electron',
  chrome: 'Chromium',
  node: 'Node.js',
  v8: 'V8',
};

/** The SQLite and cipher library the store runs on, e.g. "SQLite 3.53.4, SQLite3 Multiple Ciphers 2.4.0". */
function storeEngine(db: Db): string {
  const { sqlite, ciphers } = db.prepare('SELECT sqlite_version() AS sqlite, sqlite3mc_version() AS ciphers').get() as {
    sqlite: string;
    ciphers: string;
  };
  return `SQLite ${sqlite}, ${ciphers}`;
}

export function createApp(options: AppOptions): AppContext {
  const { key } = options;
  const db = openDatabase(options.dataDir, { key });
  if (!db.readonly) removeLeftovers(options.dataDir);
  const jobWatchers = new Set<(event: JobEvent) => void>();
  const emit = (event: JobEvent) => {
    for (const watcher of jobWatchers) watcher(event);
  };
  const jobs = new JobManager(db, emit);
  const briefComposer = new BriefComposer(emit);
  const context: AppContext = {
    dataDir: options.dataDir,
    db,
    readOnly: db.readonly,
    openConnection: () => openDatabase(options.dataDir, { key }),
    jobs,
    briefComposer,
    watchJobs(watcher) {
      jobWatchers.add(watcher);
      return () => jobWatchers.delete(watcher);
    },
    get router() {
      return router;
    },
    files: new FileHandles(),
    info: () => ({
      name: 'Contagion Workbench',
      version: softwareVersion,
      dataDir: options.dataDir,
      databaseFile: join(options.dataDir, DATABASE_FILE),
      schemaVersion: schemaVersion(db),
      transport: options.transport,
      // the runtime's components by their product names, and the store's own SQLite (not Node's built-in one)
      versions: {
        ...Object.fromEntries(
          Object.entries(RUNTIME_NAMES).flatMap(([key, name]) =>
            process.versions[key] ? [[name, process.versions[key]]] : [],
          ),
        ),
        'Store engine': storeEngine(db),
      },
      learningBackend: describeLearningBackend(),
    }),
    close: async () => {
      await Promise.all([jobs.cancelAll(), briefComposer.close()]);
      db.close();
    },
  };
  const router = createRouter(context, withStoreFaults(handlers, options.dataDir));
  return context;
}
