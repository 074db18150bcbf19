/**
 * A first start of the app, as the desktop shell and the browser-mode host do it (src-main/host/main.ts): open the
 * store of the data folder given as the first argument (key from CWB_KEY_FILE, as `cwb` finds it), then seed the
 * bundled samples. Writes "open" when the store is open and "seeded MS" when seeding is done, so that
 * crash-safety.test.ts can kill it during the seeding.
 */
import { createApp } from '../../src-main/app';
import { seedSamples } from '../../src-main/api/samples';
import { resolveStoreKey } from '../../src-main/store/store-key';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: seed-child.ts DATA_DIR');
const context = createApp({ dataDir, transport: 'browser', key: resolveStoreKey(dataDir).key });
process.stdout.write('open\n');
const started = performance.now();
seedSamples(context.db);
process.stdout.write(`seeded ${(performance.now() - started).toFixed(1)}\n`);
await context.close();
