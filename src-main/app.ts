/**
 * The application core shared by the Electron shell, the loopback host and `cwb`: one data folder, one
 * database, one job manager, one router.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AppInfo } from '../src-shared/domain';
import type { JobEvent } from '../src-shared/jobs';
import { handlers } from './api/handlers';
import { createRouter, type Handlers, type Router } from './api/router';
import { JobManager } from './jobs/manager';
import { describeLearningBackend } from './learning/backend';
import { DATABASE_FILE, openDatabase, removeLeftovers, schemaVersion, storeFault, type Db, type StoreKey } from './store/db';

export interface AppContext {
  dataDir: string;
  db: Db;
  /** True when the data folder or the store cannot be written: reads work, writes are refused. */
  readOnly: boolean;
  /** A second connection to the same store with the same key (for work that holds a transaction open); the caller closes it. */
  openConnection(): Db;
  jobs: JobManager;
  router: Router;
  info(): AppInfo;
  close(): Promise<void>;
}

export interface AppOptions {
  dataDir: string;
  transport: AppInfo['transport'];
  /** The store's key (see store/store-key.ts); kept in memory only, for further connections. */
  key: StoreKey;
  /** Receives every job event (the shell and the host forward them to the renderer). */
  onJobEvent?: (event: JobEvent) => void;
}

export const softwareVersion: string = readPackageVersion();

function readPackageVersion(): string {
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      // try the next location: source tree and bundle sit at different depths
    }
  }
  return '0.0.0';
}

/** The data folder: `--data-dir`, else CWB_DATA_DIR, else the platform's user-data folder. */
export function defaultDataDir(): string {
  if (process.env.CWB_DATA_DIR) return process.env.CWB_DATA_DIR;
  const home = homedir();
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Contagion Workbench');
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

export function createApp(options: AppOptions): AppContext {
  const { key } = options;
  const db = openDatabase(options.dataDir, { key });
  if (!db.readonly) removeLeftovers(options.dataDir);
  const jobs = new JobManager(db, (event) => options.onJobEvent?.(event));
  const context: AppContext = {
    dataDir: options.dataDir,
    db,
    readOnly: db.readonly,
    openConnection: () => openDatabase(options.dataDir, { key }),
    jobs,
    router: undefined as unknown as Router,
    info: () => ({
      name: 'Contagion Workbench',
      version: softwareVersion,
      dataDir: options.dataDir,
      databaseFile: join(options.dataDir, DATABASE_FILE),
      schemaVersion: schemaVersion(db),
      transport: options.transport,
      versions: Object.fromEntries(
        Object.entries(process.versions).filter(([key]) => ['node', 'electron', 'chrome', 'v8', 'sqlite'].includes(key)),
      ) as Record<string, string>,
      learningBackend: describeLearningBackend(),
    }),
    close: async () => {
      await jobs.cancelAll();
      db.close();
    },
  };
  context.router = createRouter(context, withStoreFaults(handlers, options.dataDir));
  return context;
}
