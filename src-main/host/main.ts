/**
 * Browser mode: the whole app on http://127.0.0.1 for machines where Electron cannot start. Options:
 * `--data-dir DIR` (else CWB_DATA_DIR, else the user-data folder), `--port N` (else random), `--key-file FILE` (else
 * CWB_KEY_FILE, else the OS keyring, else a passphrase typed on the terminal: see store/store-key.ts).
 * Prints the address (with its per-start token) on the first line of standard output.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createApp, defaultDataDir, type AppContext } from '../app';
import { seedSamples } from '../api/samples';
import { storeFault } from '../store/db';
import { resolveStoreKey } from '../store/store-key';
import { startLoopbackHost } from './server';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    port: { type: 'string' },
    'no-samples': { type: 'boolean' },
    'key-file': { type: 'string' },
  },
});
const rendererDir = fileURLToPath(new URL('../../out/renderer', import.meta.url));
if (!existsSync(`${rendererDir}/index.html`)) {
  console.error(`The renderer is not built (${rendererDir}); run "npm run build" first.`);
  process.exit(1);
}
const dataDir = values['data-dir'] ?? defaultDataDir();
let context: AppContext;
try {
  context = createApp({
    dataDir,
    transport: 'browser',
    key: resolveStoreKey(dataDir, { keyFile: values['key-file'] }).key,
  });
  if (!values['no-samples']) seedSamples(context.db);
} catch (error) {
  const fault = storeFault(error, dataDir);
  if (!fault) throw error;
  console.error(`Contagion Workbench: ${fault.message}`);
  process.exit(fault.exitCode);
}
const host = await startLoopbackHost(context, {
  rendererDir,
  port: values.port ? Number(values.port) : undefined,
});
context.watchJobs((event) => host.broadcast(event));
console.log(host.url);
console.error(
  `Contagion Workbench (browser mode) — open the address above in a browser on this machine.\n` +
    `Data folder: ${context.dataDir}. Press Ctrl+C to stop.`,
);
const stop = async () => {
  await host.close();
  await context.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
