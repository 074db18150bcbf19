/**
 * Loading a very large network@1 JSON file (issue 20): a dense random balance-sheet network (bench/scale-network.ts;
 * every bank owes every other) written once into a temp dir, one entry per line, then read side by side, alternating,
 * best of 3, each read in its own process: the project's columnar stream reader (readNetworkJsonColumns, checked by
 * the full network@1 rules), the stream reader into objects it replaced, and a Python peer (bench/network_json_peer.py:
 * json.load, then numpy arrays of debtor index, creditor index and amount) when python3-numpy is present.
 * Quick: dense 1,000 (about 65 MB, a million liabilities); `--full` adds dense 3,000 (about 600 MB, 9 million).
 */
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NETWORK_FORMAT } from '../src-shared/formats/network';
import { hasNumpy, lastJsonLine } from './child-json';
import { randomBalanceSheetSystem } from './scale-network';

const here = fileURLToPath(new URL('.', import.meta.url));
const full = process.argv.includes('--full');
const ROUNDS = 3;

/** Writes the dense n-bank network as network@1 JSON, one node or liability per line, without building objects. */
export function writeDenseNetworkJson(path: string, n: number, seed = 1): void {
  const system = randomBalanceSheetSystem(n, 'dense', seed);
  const { ids, pbarMatrix, outsideAssets, outsideLiabilities } = system;
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, `{"format":${JSON.stringify(NETWORK_FORMAT)},"name":"dense ${n}","nodes":[\n`);
    const nodes = ids.map((id, i) =>
      JSON.stringify({ id, outsideAssets: outsideAssets[i], outsideLiabilities: outsideLiabilities[i] }),
    );
    writeSync(fd, `${nodes.join(',\n')}\n],"liabilities":[\n`);
    let first = true;
    for (let i = 0; i < n; i++) {
      const lines: string[] = [];
      for (let j = 0; j < n; j++) {
        const amount = pbarMatrix[i * n + j]!;
        if (amount === 0) continue;
        lines.push(`{"debtor":"${ids[i]}","creditor":"${ids[j]}","amount":${JSON.stringify(amount)}}`);
      }
      if (lines.length === 0) continue;
      writeSync(fd, `${first ? '' : ',\n'}${lines.join(',\n')}`);
      first = false;
    }
    writeSync(fd, '\n]}\n');
  } finally {
    closeSync(fd);
  }
}

type Figures = Record<string, number>;

const json = (command: string, args: string[]) => lastJsonLine<Figures>(command, args);

const project = (mode: 'columns' | 'objects', path: string) =>
  json(process.execPath, [
    '--max-old-space-size=16384',
    '--import',
    'tsx',
    join(here, 'network-load-case.ts'),
    mode,
    path,
  ]);
const peer = (path: string) => json('python3', [join(here, 'network_json_peer.py'), path]);

const round = (value: number, digits = 3) => Number(value.toPrecision(digits));
const best = (runs: Figures[], key: string) => Math.min(...runs.map((run) => run[key]!));

export function run(): Record<string, unknown> {
  const numpy = hasNumpy();
  const before = !process.argv.includes('--no-before');
  const rows: Record<string, unknown>[] = [];
  for (const n of full ? [1000, 3000] : [1000]) {
    const dir = mkdtempSync(join(tmpdir(), 'cwb-network-load-'));
    try {
      const path = join(dir, `dense-${n}.json`);
      process.stderr.write(`  network-load: writing dense ${n}…\n`);
      writeDenseNetworkJson(path, n);
      const runs: { columns: Figures[]; objects: Figures[]; peer: Figures[] } = { columns: [], objects: [], peer: [] };
      for (let round = 0; round < ROUNDS; round++) {
        runs.columns.push(project('columns', path));
        if (numpy) runs.peer.push(peer(path));
        if (before) runs.objects.push(project('objects', path));
        process.stderr.write(
          `  network-load: dense ${n}, round ${round + 1}: ${JSON.stringify(runs.columns.at(-1))}\n`,
        );
      }
      const sums = [...runs.columns, ...runs.objects].map((run) => run.sum);
      const counts = [...runs.columns, ...runs.objects, ...runs.peer].map((run) => run.liabilities);
      const seconds = best(runs.columns, 'seconds');
      rows.push({
        network: `dense ${n}`,
        megabytes: round(statSync(path).size / 1e6),
        liabilities: runs.columns[0]!.liabilities,
        projectSeconds: round(seconds),
        projectSecondsToClearingSystem: round(best(runs.columns, 'secondsToClearingSystem')),
        projectPeakRssMiB: Math.round(best(runs.columns, 'peakRssMiB')),
        ...(numpy
          ? {
              peerSeconds: round(best(runs.peer, 'seconds')),
              speedupOverPeer: round(best(runs.peer, 'seconds') / seconds),
              peerPeakRssMiB: Math.round(best(runs.peer, 'peakRssMiB')),
            }
          : {}),
        ...(before
          ? {
              beforeSeconds: round(best(runs.objects, 'seconds')),
              speedupOverBefore: round(best(runs.objects, 'seconds') / seconds),
              beforePeakRssMiB: Math.round(best(runs.objects, 'peakRssMiB')),
            }
          : {}),
        sameAmounts: sums.every((sum) => sum === sums[0]) && counts.every((count) => count === counts[0]),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return {
    size: full ? 'full' : 'quick',
    peer: numpy
      ? 'python3 json.load + numpy arrays (bench/network_json_peer.py)'
      : 'python3-numpy not installed: no peer',
    note: 'best of 3, alternating, each read in its own process; speedupOverPeer > 1: the project is faster',
    rows,
  };
}
