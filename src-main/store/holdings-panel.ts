/**
 * Holdings datasets ↔ in-memory panels (src-main/engines/holdings-panel.ts), and the `models` table for trained
 * graph transformers: the model file (JSON artifact) as the weights BLOB, the metrics as JSON.
 */
import { createHash } from 'node:crypto';
import type { HoldingsPanel, PanelNodes, PanelSnapshot } from '../engines/holdings-panel';
import type { ImportReport } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import type { GtMetrics, GtModelSummary } from '../../src-shared/results/graph-transformer';
import type { Db } from './db';
import { finishHoldingsDataset, holdingsWriter } from './holdings';
import { datasets, models, type ModelRecord } from './repositories';

/**
 * A holdings dataset opened for reading date by date: its investors and assets (in id order; a position's investor
 * and asset are indices into them), its report dates (oldest first) with their position counts, and the positions
 * of one date on request — so a dataset larger than memory is read one date at a time.
 */
export interface HoldingsDatasetReader extends PanelNodes {
  name: string;
  dates: string[];
  positions: number[];
  /** The positions of date `index` (of `dates`), read at once. */
  snapshot(index: number): PanelSnapshot;
  /** The same, read in slices of PAGE_ROWS positions with the event loop free between them (for the main thread). */
  snapshotInSlices(index: number): Promise<PanelSnapshot>;
}

/** Positions read per query: a slice of a few milliseconds, so the main thread answers between slices. */
const PAGE_ROWS = 65_536;

export function holdingsDatasetReader(db: Db, datasetId: number): HoldingsDatasetReader {
  const dataset = datasets.get(db, datasetId);
  if (dataset.kind !== 'holdings')
    throw new AppError(
      'invalid_input',
      `dataset ${datasetId} (${dataset.name}) is not a holdings dataset`,
      'datasetId',
    );
  const investorRows = db
    .prepare('SELECT id, code, name, type, style, aum FROM investors WHERE dataset_id = ? ORDER BY id')
    .all(datasetId) as Array<{
    id: number;
    code: string;
    name: string | null;
    type: string | null;
    style: string | null;
    aum: number | null;
  }>;
  const assetRows = db
    .prepare('SELECT id, code, name, class, currency, amount_outstanding FROM assets WHERE dataset_id = ? ORDER BY id')
    .all(datasetId) as Array<{
    id: number;
    code: string;
    name: string | null;
    class: string | null;
    currency: string | null;
    amount_outstanding: number | null;
  }>;
  const investorIndex = new Map(investorRows.map((row, k) => [row.id, k]));
  const assetIndex = new Map(assetRows.map((row, k) => [row.id, k]));
  const dates = db
    .prepare(
      'SELECT report_date AS date, count(*) AS positions FROM positions WHERE dataset_id = ? AND amount > 0 GROUP BY report_date ORDER BY report_date',
    )
    .all(datasetId) as Array<{ date: string; positions: number }>;
  const page = db
    .prepare(
      'SELECT investor_id, asset_id, amount FROM positions WHERE dataset_id = ? AND report_date = ? AND (investor_id, asset_id) > (?, ?) AND amount > 0 ORDER BY investor_id, asset_id LIMIT ?',
    )
    .raw(true);
  /** The positions of date `index`, read a page at a time (by key, so each page is one indexed query); yields between pages. */
  function* readDate(index: number): Generator<void, PanelSnapshot> {
    const { date, positions } = dates[index]!;
    const investor = new Int32Array(positions);
    const asset = new Int32Array(positions);
    const amount = new Float64Array(positions);
    const changed = () =>
      new AppError(
        'conflict',
        `holdings dataset ${datasetId} (${dataset.name}) was changed or deleted while it was being read`,
      );
    let k = 0;
    let after = [-1, -1];
    for (;;) {
      const rows = page.all(datasetId, date, after[0], after[1], PAGE_ROWS) as Array<[number, number, number]>;
      for (const [investorId, assetId, value] of rows) {
        if (k === positions) throw changed();
        investor[k] = investorIndex.get(investorId)!;
        asset[k] = assetIndex.get(assetId)!;
        amount[k++] = value;
      }
      if (rows.length < PAGE_ROWS) break;
      after = rows.at(-1)!.slice(0, 2);
      yield;
    }
    if (k !== positions) throw changed();
    return { date, investor, asset, amount };
  }
  return {
    name: dataset.name,
    investors: investorRows.map((row) => ({
      code: row.code,
      name: row.name,
      type: row.type,
      style: row.style,
      aum: row.aum,
    })),
    assets: assetRows.map((row) => ({
      code: row.code,
      name: row.name,
      class: row.class,
      currency: row.currency,
      amountOutstanding: row.amount_outstanding,
    })),
    dates: dates.map((row) => row.date),
    positions: dates.map((row) => row.positions),
    snapshot(index) {
      const read = readDate(index);
      for (let step = read.next(); ; step = read.next()) if (step.done) return step.value;
    },
    async snapshotInSlices(index) {
      const read = readDate(index);
      for (let step = read.next(); ; step = read.next()) {
        if (step.done) return step.value;
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}

/** Reads a holdings dataset whole: every investor and asset, positions per report date (oldest first). */
export function loadHoldingsPanel(db: Db, datasetId: number): { name: string; panel: HoldingsPanel } {
  const reader = holdingsDatasetReader(db, datasetId);
  const { name, investors, assets } = reader;
  return { name, panel: { investors, assets, snapshots: reader.dates.map((_, k) => reader.snapshot(k)) } };
}

/**
 * Stores a panel made in the app (the generator, a bundled sample) as a holdings dataset with its provenance. The
 * same panel twice is the same dataset: its SHA-256 over the content finds the earlier one, which is returned.
 */
export function saveHoldingsPanel(
  db: Db,
  panel: HoldingsPanel,
  record: { name: string; sourceFile: string; importer: string; notes: string[] },
): { datasetId: number; created: boolean } {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([panel.investors, panel.assets]));
  for (const s of panel.snapshots)
    hash
      .update(s.date)
      .update(Buffer.from(s.investor.buffer))
      .update(Buffer.from(s.asset.buffer))
      .update(Buffer.from(s.amount.buffer));
  const sha256 = hash.digest('hex');
  const existing = datasets.findBySha256(db, sha256);
  if (existing) return { datasetId: existing.id, created: false };
  const positions = panel.snapshots.reduce((n, s) => n + s.amount.length, 0);
  const report: ImportReport = {
    importer: record.importer,
    kept: positions,
    skipped: [],
    notes: [
      `${panel.investors.length} investors, ${panel.assets.length} assets, ${positions} positions`,
      ...record.notes,
    ],
  };
  const datasetId = db.transaction(() => {
    const dataset = datasets.insert(db, {
      name: record.name,
      kind: 'holdings',
      sourceFile: record.sourceFile,
      sha256: `pending:${sha256}`,
      report,
    });
    const writer = holdingsWriter(db, dataset.id);
    const investorIds = panel.investors.map((row) => writer.addInvestor(row));
    const assetIds = panel.assets.map((row) => writer.addAsset(row));
    for (const s of panel.snapshots) {
      for (let k = 0; k < s.amount.length; k++)
        writer.addPosition(s.date, investorIds[s.investor[k]!]!, assetIds[s.asset[k]!]!, s.amount[k]!);
    }
    finishHoldingsDataset(db, dataset.id, sha256, report);
    return dataset.id;
  })();
  return { datasetId, created: true };
}

export const GT_MODEL_KIND = 'graph-transformer';

const toSummary = (record: ModelRecord): GtModelSummary => {
  const metrics = record.metrics as GtMetrics;
  return {
    id: record.id,
    name: record.name,
    createdAt: record.createdAt,
    runId: record.runId,
    datasetId: metrics.datasetId,
    backend: metrics.backend,
    parameterCount: metrics.parameterCount,
    tradeValidation: metrics.trade.validation.model,
    reconstructionValidation: metrics.reconstruction.validation.model,
  };
};

/** Graph-transformer models in the models table: the artifact (configuration and weights) as JSON. */
export const gtModels = {
  insert(db: Db, record: { name: string; runId: number | null; artifact: unknown; metrics: GtMetrics }): number {
    return models.insert(db, {
      kind: GT_MODEL_KIND,
      name: record.name,
      runId: record.runId,
      weights: Buffer.from(JSON.stringify(record.artifact)),
      metrics: record.metrics,
    });
  },
  list(db: Db): GtModelSummary[] {
    return models.list(db, GT_MODEL_KIND).map(toSummary);
  },
  metrics(db: Db, id: number): GtMetrics {
    return models.get(db, id, GT_MODEL_KIND).metrics as GtMetrics;
  },
  artifact<T>(db: Db, id: number): T {
    return JSON.parse(models.get(db, id, GT_MODEL_KIND).weights.toString('utf8')) as T;
  },
};
