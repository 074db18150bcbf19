/**
 * Repository for holdings datasets: investors, assets and positions (amount held by an investor of an asset on
 * a report date). Writers are prepared once per import and called per row inside the caller's transaction;
 * readers return summary counts and the report dates of a dataset.
 */
import type { HoldingsSummary, ImportReport } from '../../src-shared/domain';
import type { Db } from './db';

export type { HoldingsSummary };


export interface InvestorRecord {
  code: string;
  name?: string | null;
  type?: string | null;
  style?: string | null;
  aum?: number | null;
}

export interface AssetRecord {
  code: string;
  name?: string | null;
  class?: string | null;
  currency?: string | null;
  amountOutstanding?: number | null;
}

/** Prepared inserts for one dataset; each returns the new row id (positions return nothing). */
export interface HoldingsWriter {
  addInvestor(record: InvestorRecord): number;
  addAsset(record: AssetRecord): number;
  addPosition(reportDate: string, investorId: number, assetId: number, amount: number): void;
}

export function holdingsWriter(db: Db, datasetId: number): HoldingsWriter {
  const investor = db.prepare(
    'INSERT INTO investors (dataset_id, code, name, type, style, aum) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const asset = db.prepare(
    'INSERT INTO assets (dataset_id, code, name, class, currency, amount_outstanding) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const position = db.prepare(
    'INSERT INTO positions (dataset_id, report_date, investor_id, asset_id, amount) VALUES (?, ?, ?, ?, ?)',
  );
  return {
    addInvestor: (record) =>
      Number(
        investor.run(datasetId, record.code, record.name ?? null, record.type ?? null, record.style ?? null, record.aum ?? null)
          .lastInsertRowid,
      ),
    addAsset: (record) =>
      Number(
        asset.run(
          datasetId,
          record.code,
          record.name ?? null,
          record.class ?? null,
          record.currency ?? null,
          record.amountOutstanding ?? null,
        ).lastInsertRowid,
      ),
    addPosition: (reportDate, investorId, assetId, amount) => {
      position.run(datasetId, reportDate, investorId, assetId, amount);
    },
  };
}

/** Records the file's SHA-256 and the import report once the whole file has been read. */
export function finishHoldingsDataset(db: Db, datasetId: number, sha256: string, report: ImportReport): void {
  db.prepare('UPDATE datasets SET sha256 = ?, report = ? WHERE id = ?').run(sha256, JSON.stringify(report), datasetId);
}

export function holdingsDates(db: Db, datasetId: number): string[] {
  return (
    db
      .prepare('SELECT DISTINCT report_date AS date FROM positions WHERE dataset_id = ? ORDER BY report_date')
      .all(datasetId) as Array<{ date: string }>
  ).map((row) => row.date);
}

export function holdingsSummary(db: Db, datasetId: number): HoldingsSummary {
  const count = (sql: string) => (db.prepare(sql).get(datasetId) as { n: number }).n;
  const perDate = db
    .prepare(
      `SELECT report_date AS date, COUNT(*) AS positions, TOTAL(amount) AS totalAmount
       FROM positions WHERE dataset_id = ? GROUP BY report_date ORDER BY report_date`,
    )
    .all(datasetId) as Array<{ date: string; positions: number; totalAmount: number }>;
  return {
    datasetId,
    investors: count('SELECT COUNT(*) AS n FROM investors WHERE dataset_id = ?'),
    assets: count('SELECT COUNT(*) AS n FROM assets WHERE dataset_id = ?'),
    positions: perDate.reduce((sum, row) => sum + row.positions, 0),
    dates: perDate.map((row) => row.date),
    perDate,
  };
}
