/** Where a worker thread's code is: the bundled script beside the Electron main bundle, or tsx over the sources. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The script of a worker whose TypeScript entry is `src-main/jobs/<entry>.ts` and whose bundle
 * (electron.vite.config.ts) is `<bundle>.js`: in source mode (cwb, the loopback host, tests) the bootstrap that
 * registers tsx and loads the entry (jobs/worker-bootstrap.mjs); in the Electron build the bundle, which sits in
 * out/main/ beside code in out/main/ or out/main/chunks/. It lives below the jobs layer so that io (Parquet
 * decoding) can start a worker too.
 */
export function workerScript(entry: string, bundle: string): { file: string; workerData: Record<string, unknown> } {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const jobs = join(here, '..', 'jobs');
  const sourceEntry = join(jobs, `${entry}.ts`);
  if (existsSync(sourceEntry)) {
    return { file: join(jobs, 'worker-bootstrap.mjs'), workerData: { entryUrl: pathToFileURL(sourceEntry).href } };
  }
  const bundled = [join(here, `${bundle}.js`), join(here, '..', `${bundle}.js`)].find((file) => existsSync(file));
  if (!bundled) throw new Error(`worker bundle ${bundle}.js not found near ${here}`);
  return { file: bundled, workerData: {} };
}
