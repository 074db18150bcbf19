// Source mode (cwb, the loopback host and tests run TypeScript through tsx): register tsx in this worker
// thread, then load the TypeScript worker entry. The Electron build bundles worker-entry.ts instead.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entryUrl);
