/**
 * Repository for holdings datasets: investors, assets and positions (amount held by an investor of an asset on
 * a report date). Writers are prepared once per import and called per row inside the caller's transaction;
 * readers return summary counts and the report dates of a dataset.
 */
import type { HoldingsGraph, HoldingsSummary, ImportReport } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import type { Db } from './db';
import { recordImport } from './audit';

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
        investor.run(
          datasetId,
          record.code,
          record.name ?? null,
          record.type ?? null,
          record.style ?? null,
          record.aum ?? null,
        ).lastInsertRowid,
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
  recordImport(db, datasetId);
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

/**
 * The holdings graph at one report date reduced to the `topInvestors` largest investors and `topAssets` largest
 * assets (by amount held at that date), with the positions among them and counts of what was left out — so a
 * graph of 100,000+ positions is shown as a readable aggregate and filtered subgraph.
 */
export function holdingsGraph(
  db: Db,
  datasetId: number,
  options: { date?: string; topInvestors: number; topAssets: number; investorType?: string },
): HoldingsGraph {
  const dates = holdingsDates(db, datasetId);
  const date = options.date ?? dates.at(-1);
  if (!date || !dates.includes(date)) {
    throw new AppError(
      'not_found',
      `dataset ${datasetId} has no positions${options.date ? ` at ${options.date}` : ''}`,
      'date',
    );
  }
  const typeFilter = options.investorType ? 'AND i.type = @type' : '';
  const investors = db
    .prepare(
      `SELECT i.id, i.code, i.name, i.type, i.style, TOTAL(p.amount) AS total FROM positions p JOIN investors i ON i.id = p.investor_id
       WHERE p.dataset_id = @dataset AND p.report_date = @date ${typeFilter}
       GROUP BY i.id ORDER BY total DESC LIMIT @limit`,
    )
    .all({ dataset: datasetId, date, type: options.investorType, limit: options.topInvestors }) as Array<
    HoldingsGraph['investors'][number] & { id: number }
  >;
  const assets = db
    .prepare(
      `SELECT a.id, a.code, a.name, a.class, TOTAL(p.amount) AS total FROM positions p JOIN assets a ON a.id = p.asset_id
       JOIN investors i ON i.id = p.investor_id
       WHERE p.dataset_id = @dataset AND p.report_date = @date ${typeFilter}
       GROUP BY a.id ORDER BY total DESC LIMIT @limit`,
    )
    .all({ dataset: datasetId, date, type: options.investorType, limit: options.topAssets }) as Array<
    HoldingsGraph['assets'][number] & { id: number }
  >;
  const investorCode = new Map(investors.map((row) => [row.id, row.code]));
  const assetCode = new Map(assets.map((row) => [row.id, row.code]));
  const positions: HoldingsGraph['positions'] = [];
  let shownAmount = 0;
  const rows = db
    .prepare(`SELECT investor_id, asset_id, amount FROM positions WHERE dataset_id = ? AND report_date = ?`)
    .iterate(datasetId, date) as Iterable<{ investor_id: number; asset_id: number; amount: number }>;
  let allPositions = 0;
  let allAmount = 0;
  for (const row of rows) {
    allPositions++;
    allAmount += row.amount;
    const investor = investorCode.get(row.investor_id);
    const asset = assetCode.get(row.asset_id);
    if (investor !== undefined && asset !== undefined) {
      positions.push({ investor, asset, amount: row.amount });
      shownAmount += row.amount;
    }
  }
  const count = (sql: string) => (db.prepare(sql).get(datasetId, date) as { n: number }).n;
  const strip = <T extends { id: number }>({ id: _id, ...rest }: T) => rest;
  return {
    datasetId,
    date,
    dates,
    investors: investors.map(strip),
    assets: assets.map(strip),
    positions,
    hidden: {
      investors:
        count('SELECT COUNT(DISTINCT investor_id) AS n FROM positions WHERE dataset_id = ? AND report_date = ?') -
        investors.length,
      assets:
        count('SELECT COUNT(DISTINCT asset_id) AS n FROM positions WHERE dataset_id = ? AND report_date = ?') -
        assets.length,
      positions: allPositions - positions.length,
      amount: allAmount - shownAmount,
    },
  };
}
