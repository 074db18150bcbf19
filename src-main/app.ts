/**
 * The application core shared by the Electron shell, the loopback host and `cwb`: one data folder, one
 * database, one job manager, one router.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AppInfo } from '../src-shared/domain';
import type { JobEvent } from '../src-shared/jobs';
import { createRouter, type Router } from './api/router';
import { JobManager } from './jobs/manager';
import { describeLearningBackend } from './learning/backend';
import { DATABASE_FILE, openDatabase, schemaVersion, type Db } from './store/db';

export interface AppContext {
  dataDir: string;
  db: Db;
  jobs: JobManager;
  router: Router;
  info(): AppInfo;
  close(): Promise<void>;
}

export interface AppOptions {
  dataDir: string;
  transport: AppInfo['transport'];
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

export function createApp(options: AppOptions): AppContext {
  const db = openDatabase(options.dataDir);
  const jobs = new JobManager(db, (event) => options.onJobEvent?.(event));
  const context: AppContext = {
    dataDir: options.dataDir,
    db,
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
  context.router = createRouter(context);
  return context;
}
