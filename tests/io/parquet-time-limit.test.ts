/**
 * A damaged Parquet file that makes the decoder (hyparquet) loop forever is decoded in a worker thread, refused
 * when its time limit runs out (parquet-decode.ts), and the next import in the same process still works.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { randomSparseNetwork } from '../../src-main/engines/synthetic';
import { importHoldingsFile } from '../../src-main/io/holdings-tables';
import { importNetworkTables } from '../../src-main/io/importers';
import { networkToParquet } from '../../src-main/io/network-parquet';
import { PARQUET_DECODE_TIME_LIMIT, parquetDecodeLimitMs } from '../../src-main/io/parquet-decode';
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

    // The same process goes on: the sound pair imports, through the usual callers.
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
  });

  it('refuses a holdings file whose pages never finish decoding, storing nothing, then imports the next file', async () => {
    dir = tempDir('cwb-parquet-limit-');
    db = openDatabase(join(dir.path, 'data'), { key: testStoreKey() });
    const path = join(dir.path, 'nodes.parquet');
    writeFileSync(path, hangingNodes());
    const message = await refusal(
      importHoldingsFile(db, {
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
    expect(datasets.list(db)).toEqual([]);

    const good = join(dir.path, 'holdings.parquet');
    writeFileSync(
      good,
      parquetFile([
        { name: 'investor', values: ['F1', 'F1', 'F2'] },
        { name: 'asset', values: ['ISIN1', 'ISIN2', 'ISIN1'] },
        { name: 'date', values: ['2024-03-31', '2024-03-31', '2024-06-30'] },
        { name: 'amount', values: [100, 50.5, 7] },
      ]),
    );
    const result = await importHoldingsFile(db, { filePath: good, fileName: 'holdings.parquet', datasetName: 'ok' });
    expect(result).toMatchObject({ investors: 2, assets: 2, positions: 3 });
    expect(datasets.list(db).length).toBe(1);
  });
});
