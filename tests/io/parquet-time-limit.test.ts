/**
 * The limits of Parquet decoding in a worker thread (parquet-decode.ts). A damaged file that makes the decoder
 * (hyparquet) loop forever is refused when its time limit runs out; a file that decodes to more than the worker's
 * memory cap is refused when V8 ends the worker at the cap (no Node error code reaches the user). Either way in one
 * line that names the file, nothing is stored, and the next import in the same process still works.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { randomSparseNetwork } from '../../src-main/engines/synthetic';
import { importHoldingsFile } from '../../src-main/io/holdings-tables';
import { importNetworkTables } from '../../src-main/io/importers';
import { networkToParquet } from '../../src-main/io/network-parquet';
import { DEFAULT_IMPORT_LIMITS } from '../../src-main/io/import-limits';
import {
  PARQUET_DECODE_MEMORY_LIMIT_MB,
  PARQUET_DECODE_TIME_LIMIT,
  ParquetDecoder,
  parquetDecodeLimitMs,
} from '../../src-main/io/parquet-decode';
import { readParquetTable } from '../../src-main/io/parquet-table';
import { previewTables } from '../../src-main/io/tables';
import { openDatabase, type Db } from '../../src-main/store/db';
import { datasets } from '../../src-main/store/repositories';
import { tempDir } from '../support/fixtures';
import { parquetFile } from '../support/parquet';
import { testStoreKey } from '../support/store-key';

/** The node file of randomSparseNetwork(30, 4, 2) as the Parquet export writes it, four bytes changed. */
function hangingNodes(): Uint8Array {
  const bytes = networkToParquet(randomSparseNetwork(30, 4, 2)).nodes.slice();
  for (const [offset, value] of [
    [492, 170],
    [945, 36],
    [1576, 95],
    [1748, 40],
  ] as const) {
    bytes[offset] = value;
  }
  return bytes;
}

const LIMIT_MS = 1500;
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: Error) => error.message,
  );

let dir: ReturnType<typeof tempDir> | undefined;
let db: Db | undefined;
afterEach(() => {
  db?.close();
  dir?.remove();
  db = undefined;
  dir = undefined;
});

/** A new store in a temporary folder. */
function openStore(): { db: Db; dir: string } {
  dir = tempDir('cwb-parquet-limit-');
  db = openDatabase(join(dir.path, 'data'), { key: testStoreKey() });
  return { db, dir: dir.path };
}

/** The next holdings import in the same process works (under the same decoding options) and is the only dataset. */
async function nextHoldingsImports(
  store: { db: Db; dir: string },
  options: { parquetMemoryLimitMb?: number } = {},
): Promise<void> {
  const good = join(store.dir, 'holdings.parquet');
  writeFileSync(
    good,
    parquetFile([
      { name: 'investor', values: ['F1', 'F1', 'F2'] },
      { name: 'asset', values: ['ISIN1', 'ISIN2', 'ISIN1'] },
      { name: 'date', values: ['2024-03-31', '2024-03-31', '2024-06-30'] },
      { name: 'amount', values: [100, 50.5, 7] },
    ]),
  );
  const result = await importHoldingsFile(store.db, {
    filePath: good,
    fileName: 'holdings.parquet',
    datasetName: 'ok',
    ...options,
  });
  expect(result).toMatchObject({ investors: 2, assets: 2, positions: 3 });
  expect(datasets.list(store.db).map((d) => d.name)).toEqual(['ok']);
}

/** The next network import in the same process works: a node and liability pair, through the usual callers. */
async function nextNetworkImports(): Promise<void> {
  const document = randomSparseNetwork(30, 4, 2);
  const files = networkToParquet(document);
  const imported = await importNetworkTables([
    { fileName: 'n-nodes.parquet', bytes: files.nodes },
    { fileName: 'n-liabilities.parquet', bytes: files.liabilities },
  ]);
  expect(imported.network.document).toEqual(document);
  // A Buffer (as read from disk) may share a larger pool: the bytes given are what is read.
  const [preview] = await previewTables('n-liabilities.parquet', Buffer.from(files.liabilities));
  expect(preview!.rowCount).toBe(document.liabilities.length);
}

describe('Parquet decoding time limit', () => {
  it('is 10 s and 2 s per MiB of file', () => {
    expect(PARQUET_DECODE_TIME_LIMIT).toEqual({ baseSeconds: 10, secondsPerMiB: 2 });
    expect(parquetDecodeLimitMs(0)).toBe(10_000);
    expect(parquetDecodeLimitMs(2 ** 20)).toBe(12_000);
    expect(parquetDecodeLimitMs(10 * 2 ** 20)).toBe(30_000);
  });

  it('refuses a network table whose pages never finish decoding, within the limit, then imports the next file', async () => {
    const started = performance.now();
    const message = await refusal(
      readParquetTable('nodes.parquet', hangingNodes(), undefined, { timeLimitMs: LIMIT_MS }),
    );
    const elapsed = performance.now() - started;
    expect(message).toBe(
      'nodes.parquet could not be read within 1.5 s: the file is damaged (its data pages do not decode)',
    );
    expect(elapsed).toBeGreaterThanOrEqual(LIMIT_MS - 50);
    expect(elapsed).toBeLessThan(LIMIT_MS + 10_000); // the worker's start is not counted; well short of forever
    await nextNetworkImports();
  });

  it('refuses a holdings file whose pages never finish decoding, storing nothing, then imports the next file', async () => {
    const store = openStore();
    const path = join(store.dir, 'nodes.parquet');
    writeFileSync(path, hangingNodes());
    const message = await refusal(
      importHoldingsFile(store.db, {
        filePath: path,
        fileName: 'nodes.parquet',
        datasetName: 'hang',
        // The node table's columns as holdings columns, so that the rows are read.
        mapping: { investor: 'id', asset: 'type', date: 'equity', amount: 'totalAssets' },
        parquetTimeLimitMs: LIMIT_MS,
      }),
    );
    expect(message).toBe(
      'nodes.parquet could not be read within 1.5 s: the file is damaged (its data pages do not decode)',
    );
    expect(datasets.list(store.db)).toEqual([]);
    await nextHoldingsImports(store);
  });
});

/** The memory cap set small for the tests (the worker starts in about 12 MiB). */
const CAP_MB = 32;

/** Holdings columns, 600,000 rows in one page each (about 11 MiB), which decode to more than twice the cap. */
let large: Buffer | undefined;
const largeHoldings = () =>
  (large ??= parquetFile([
    { name: 'investor', values: Array.from({ length: 600_000 }, (_, i) => `F${i}`) },
    { name: 'asset', values: Array.from({ length: 600_000 }, (_, i) => `ISIN${i % 1000}`) },
    { name: 'date', values: Array.from({ length: 600_000 }, () => '2024-03-31') },
    { name: 'amount', values: Array.from({ length: 600_000 }, (_, i) => i + 0.5) },
  ]));

const overCap = (file: string) =>
  `${file} could not be read within 32 MiB of memory: the file is damaged or too large (its data pages need more)`;

describe('Parquet decoding memory cap', () => {
  it('is the default per-file import limit, 2 GiB', () => {
    expect(PARQUET_DECODE_MEMORY_LIMIT_MB).toBe(2048);
    expect(PARQUET_DECODE_MEMORY_LIMIT_MB * 2 ** 20).toBe(DEFAULT_IMPORT_LIMITS.fileBytes);
  });

  it('refuses a holdings file that decodes to more than the cap, storing nothing, then imports the next file', async () => {
    const store = openStore();
    const path = join(store.dir, 'big.parquet');
    writeFileSync(path, largeHoldings());
    const started = performance.now();
    const message = await refusal(
      importHoldingsFile(store.db, {
        filePath: path,
        fileName: 'big.parquet',
        datasetName: 'big',
        parquetMemoryLimitMb: CAP_MB,
      }),
    );
    expect(message).toBe(overCap('big.parquet'));
    expect(performance.now() - started).toBeLessThan(15_000); // ended at the cap, not decoded to the end
    expect(datasets.list(store.db)).toEqual([]);
    await nextHoldingsImports(store, { parquetMemoryLimitMb: CAP_MB });
  });

  it('refuses the same bytes read as a network table, then imports a network pair', async () => {
    const read = async () => {
      const { decoder, info } = await ParquetDecoder.open('liabilities.parquet', largeHoldings(), {
        cellText: 'reader',
        memoryLimitMb: CAP_MB,
      });
      try {
        return await decoder.read(0, Math.min(info.rowCount, 100_000));
      } finally {
        decoder.close();
      }
    };
    expect(await refusal(read())).toBe(overCap('liabilities.parquet'));
    await nextNetworkImports();
  });
});
