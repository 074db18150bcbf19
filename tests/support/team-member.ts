/**
 * A worker thread for tests/jobs/kernel-threads.test.ts: once the team in workerData opens, joins it and posts how
 * many chunks of the leader's trailing updates it ran.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isTeamOpen, joinTeam } from '../../src-main/engines/kernels/team';

const { control, memory } = workerData as { control: Int32Array; memory: WebAssembly.Memory };
const pause = new Int32Array(new SharedArrayBuffer(4));
parentPort!.postMessage('ready');
while (!isTeamOpen(control)) Atomics.wait(pause, 0, 0, 0.2);
parentPort!.postMessage(joinTeam(control, memory));
