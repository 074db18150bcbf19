/**
 * Import time of one dense network in three formats (issue 20): a 1,000-bank random balance-sheet network
 * (bench/scale-network.ts; every bank owes every other: 999,000 liabilities) written as network@1 JSON, as the CSV
 * pair (node table + liability table) and as the Parquet pair, each imported by `cwb import` in a process of its
 * own into a fresh store (read, every check, stored encrypted), alternating, best of 2. Wall time of the whole
 * command and the files' sizes. `--full` adds dense 2,000 (about 4 million liabilities).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NETWORK_FORMAT, type NetworkDocument } from '../src-shared/formats/network';
import { serialiseJson } from '../src-main/io/network-json';
import { networkToParquet } from '../src-main/io/network-parquet';
import { networkToCsv } from '../src-main/io/tabular-network';
import { newKeyHex } from '../src-main/store/store-key';
import { randomBalanceSheetSystem } from './scale-network';

const cwb = fileURLToPath(new URL('../bin/cwb.mjs', import.meta.url));
const ROUNDS = 2;
const sizes = process.argv.includes('--full') ? [1000, 2000] : [1000];

function denseNetwork(n: number): NetworkDocument {
  const { ids, pbarMatrix, outsideAssets, outsideLiabilities } = randomBalanceSheetSystem(n, 'dense', 1);
  const liabilities: NetworkDocument['liabilities'] = [];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const amount = pbarMatrix[i * n + j]!;
      if (amount > 0) liabilities.push({ debtor: ids[i]!, creditor: ids[j]!, amount });
    }
  return {
    format: NETWORK_FORMAT,
    name: `dense ${n}`,
    nodes: ids.map((id, i) => ({ id, outsideAssets: outsideAssets[i]!, outsideLiabilities: outsideLiabilities[i]! })),
    liabilities,
  };
}

const seconds = (ms: number) => Math.round(ms) / 1000;

export function run(): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'cwb-bench-import-'));
  const keyFile = join(dir, 'store.key');
  writeFileSync(keyFile, `${newKeyHex()}\n`, { mode: 0o600 });
  const results: Record<string, unknown> = {};
  try {
    for (const n of sizes) {
      const document = denseNetwork(n);
      const path = (name: string) => join(dir, `dense-${n}${name}`);
      writeFileSync(path('.json'), serialiseJson(document));
      const csv = networkToCsv(document);
      writeFileSync(path('-nodes.csv'), csv.nodes);
      writeFileSync(path('-liabilities.csv'), csv.liabilities);
      const parquet = networkToParquet(document);
      writeFileSync(path('-nodes.parquet'), parquet.nodes);
      writeFileSync(path('-liabilities.parquet'), parquet.liabilities);
      const formats: Record<string, string[]> = {
        'network@1 JSON': [path('.json')],
        'CSV pair': [path('-nodes.csv'), path('-liabilities.csv')],
        'Parquet pair': [path('-nodes.parquet'), path('-liabilities.parquet')],
      };
      const best: Record<string, number> = {};
      for (let round = 0; round < ROUNDS; round++) {
        for (const [format, files] of Object.entries(formats)) {
          const dataDir = mkdtempSync(join(dir, 'store-'));
          const started = performance.now();
          execFileSync(process.execPath, [cwb, 'import', ...files, '--data-dir', dataDir], {
            env: { ...process.env, CWB_KEY_FILE: keyFile },
            stdio: ['ignore', 'ignore', 'inherit'],
          });
          const ms = performance.now() - started;
          best[format] = Math.min(best[format] ?? Infinity, ms);
          rmSync(dataDir, { recursive: true, force: true });
        }
      }
      results[`dense ${n}`] = {
        liabilities: document.liabilities.length,
        ...Object.fromEntries(
          Object.entries(formats).map(([format, files]) => [
            format,
            {
              importSeconds: seconds(best[format]!),
              fileMB: Math.round(files.reduce((sum, file) => sum + statSync(file).size, 0) / 1e5) / 10,
            },
          ]),
        ),
      };
      process.stderr.write(`${JSON.stringify(results[`dense ${n}`])}\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
