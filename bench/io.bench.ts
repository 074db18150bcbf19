/**
 * io/ benchmark: a 1,000,000-row holdings CSV (5,000 investors × 20,000 assets, 4 report dates) streamed into a
 * fresh store, with seconds, rows/s, peak RSS and heap growth (target: under 20 s in bounded memory), against a
 * plain reference that reads the same file whole (fs.readFileSync + split) and sums the amounts; and the
 * import of a 1,000-node, 20,000-edge network as a CSV pair and as XLSX, against network@1 JSON.parse.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { NETWORK_FORMAT, type NetworkDocument } from '../src-shared/formats/network';
import { importHoldingsCsv } from '../src-main/io/holdings-csv';
import { importFileAsync, importNetworkTables, interbankNetworkOf } from '../src-main/io/importers';
import { parseNetworkJson, serialiseJson } from '../src-main/io/network-json';
import { networkToCsv } from '../src-main/io/tabular-network';
import { networkToXlsx } from '../src-main/io/xlsx-network';
import { openDatabase } from '../src-main/store/db';

const ROWS = 1_000_000;
const INVESTORS = 5_000;
const ASSETS = 20_000;
const DATES = ['2024-03-31', '2024-06-30', '2024-09-30', '2024-12-31'];
const MiB = 2 ** 20;

/** Writes the holdings file in blocks; each (investor, asset, date) appears once (bench/store.bench.ts reuses it). */
export function writeHoldings(path: string): void {
  const fd = openSync(path, 'w');
  writeSync(fd, 'investor,investor_name,asset,asset_class,currency,date,amount\n');
  const perDate = ROWS / DATES.length;
  let block: string[] = [];
  for (let k = 0; k < ROWS; k += 1) {
    const date = DATES[Math.floor(k / perDate)]!;
    const slot = k % perDate;
    const investor = slot % INVESTORS;
    const asset = (Math.floor(slot / INVESTORS) + 13 * investor) % ASSETS;
    block.push(
      `INV${investor},Investor ${investor},ISIN${asset},${asset % 5 === 0 ? 'equity' : 'bond'},EUR,${date},${((k * 7919) % 100_000) / 100}`,
    );
    if (block.length === 20_000) {
      writeSync(fd, `${block.join('\n')}\n`);
      block = [];
    }
  }
  if (block.length > 0) writeSync(fd, `${block.join('\n')}\n`);
  closeSync(fd);
}

/** The plain reference: read the whole file, split into lines and cells, sum the amounts. */
function plainReference(path: string): { seconds: number; rows: number; sum: number } {
  const started = performance.now();
  const lines = readFileSync(path, 'utf8').split('\n');
  let rows = 0;
  let sum = 0;
  for (let i = 1; i < lines.length; i += 1) {
    const line = lines[i]!;
    if (line === '') continue;
    const cells = line.split(',');
    sum += Number.parseFloat(cells[6]!);
    rows += 1;
  }
  return { seconds: (performance.now() - started) / 1000, rows, sum };
}

/** A 1,000-node network with 20 liabilities per debtor (ring offsets), balance sheets on every node. */
function benchNetwork(): NetworkDocument {
  const n = 1_000;
  const nodes = Array.from({ length: n }, (_, i) => ({
    id: `B${String(i).padStart(4, '0')}`,
    name: `Bank ${i}`,
    group: `G${i % 27}`,
    outsideAssets: 1_000 + i,
    outsideLiabilities: 900 + i / 2,
    equity: 50 + (i % 13),
  }));
  const liabilities = nodes.flatMap((node, i) =>
    Array.from({ length: 20 }, (_, k) => ({
      debtor: node.id,
      creditor: nodes[(i + 1 + k * 37) % n]!.id,
      amount: ((i * 31 + k * 17) % 1000) / 10 + 0.5,
    })),
  );
  return { format: NETWORK_FORMAT, name: 'bench network', currency: 'EUR', unit: 'million', nodes, liabilities };
}

async function time<T>(run: () => Promise<T> | T): Promise<{ seconds: number; value: T }> {
  const started = performance.now();
  const value = await run();
  return { seconds: (performance.now() - started) / 1000, value };
}

const round = (value: number, digits = 3) => Number(value.toFixed(digits));

/** A full garbage collection, so heap figures count live objects only (node runs without --expose-gc). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'cwb-bench-io-'));
  try {
    const csvPath = join(dir, 'holdings.csv');
    writeHoldings(csvPath);
    const fileMiB = statSync(csvPath).size / MiB;

    const db = openDatabase(join(dir, 'store'), { key: randomBytes(32) });
    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    let peakHeap = heapBefore;
    const imported = await time(() =>
      importHoldingsCsv(db, {
        filePath: csvPath,
        fileName: 'holdings.csv',
        datasetName: 'bench holdings',
        onProgress: () => {
          const usage = process.memoryUsage();
          peakRss = Math.max(peakRss, usage.rss);
          peakHeap = Math.max(peakHeap, usage.heapUsed);
        },
      }),
    );
    db.close();
    collectGarbage();
    const heapAfter = process.memoryUsage().heapUsed;
    const reference = plainReference(csvPath);

    const document = benchNetwork();
    const { nodes, liabilities } = networkToCsv(document);
    const encoder = new TextEncoder();
    const pair = [
      { fileName: 'bench-nodes.csv', bytes: encoder.encode(nodes) },
      { fileName: 'bench-liabilities.csv', bytes: encoder.encode(liabilities) },
    ];
    const csvPair = await time(() => importNetworkTables(pair));
    const xlsxBytes = await networkToXlsx(document);
    const xlsx = await time(() => importFileAsync('bench.xlsx', xlsxBytes));
    const jsonText = serialiseJson(document);
    const json = await time(() => parseNetworkJson(jsonText, 'bench.json'));
    if (
      interbankNetworkOf(csvPair.value).liabilities.length !== 20_000 ||
      interbankNetworkOf(xlsx.value).liabilities.length !== 20_000
    ) {
      throw new Error('network imports lost edges');
    }

    return {
      holdings: {
        rows: ROWS,
        fileMiB: round(fileMiB, 1),
        investors: imported.value.investors,
        assets: imported.value.assets,
        positions: imported.value.positions,
        seconds: round(imported.seconds),
        rowsPerSecond: Math.round(ROWS / imported.seconds),
        peakRssMiB: round(peakRss / MiB, 1),
        rssGrowthMiB: round((peakRss - rssBefore) / MiB, 1),
        peakHeapGrowthMiB: round((peakHeap - heapBefore) / MiB, 1),
        /** Live heap after the import (and a full GC) minus before: what the import keeps. */
        heapDeltaMiB: round((heapAfter - heapBefore) / MiB, 1),
        targetSeconds: 20,
        reference: {
          what: 'fs.readFileSync + split + parseFloat, no store',
          seconds: round(reference.seconds),
          rows: reference.rows,
        },
        ratioToReference: round(imported.seconds / reference.seconds, 2),
      },
      network: {
        nodes: document.nodes.length,
        edges: document.liabilities.length,
        csvPairSeconds: round(csvPair.seconds),
        xlsxSeconds: round(xlsx.seconds),
        xlsxKiB: Math.round(xlsxBytes.byteLength / 1024),
        reference: { what: 'network@1 JSON.parse + schema check', seconds: round(json.seconds) },
        csvPairRatioToJson: round(csvPair.seconds / json.seconds, 2),
        xlsxRatioToJson: round(xlsx.seconds / json.seconds, 2),
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
