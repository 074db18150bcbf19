/**
 * Holdings datasets ↔ in-memory panels (src-main/engines/holdings-panel.ts), and the `models` table for trained
 * graph transformers: the model file (JSON artifact) as the weights BLOB, the metrics as JSON.
 */
import { createHash } from 'node:crypto';
import type { HoldingsPanel, PanelSnapshot } from '../engines/holdings-panel';
import type { ImportReport } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import type { GtMetrics, GtModelSummary } from '../../src-shared/results/graph-transformer';
import type { Db } from './db';
import { finishHoldingsDataset, holdingsWriter } from './holdings';
import { datasets, models, type ModelRecord } from './repositories';

/** Reads a holdings dataset: every investor and asset, positions per report date (oldest first). */
export function loadHoldingsPanel(db: Db, datasetId: number): { name: string; panel: HoldingsPanel } {
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
  const byDate = new Map<string, { investor: number[]; asset: number[]; amount: number[] }>();
  const rows = db
    .prepare(
      'SELECT report_date, investor_id, asset_id, amount FROM positions WHERE dataset_id = ? AND amount > 0 ORDER BY report_date, investor_id, asset_id',
    )
    .iterate(datasetId) as Iterable<{ report_date: string; investor_id: number; asset_id: number; amount: number }>;
  for (const row of rows) {
    let date = byDate.get(row.report_date);
    if (!date) byDate.set(row.report_date, (date = { investor: [], asset: [], amount: [] }));
    date.investor.push(investorIndex.get(row.investor_id)!);
    date.asset.push(assetIndex.get(row.asset_id)!);
    date.amount.push(row.amount);
  }
  const snapshots: PanelSnapshot[] = [...byDate.entries()].map(([date, s]) => ({
    date,
    investor: Int32Array.from(s.investor),
    asset: Int32Array.from(s.asset),
    amount: Float64Array.from(s.amount),
  }));
  const panel: HoldingsPanel = {
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
    snapshots,
  };
  return { name: dataset.name, panel };
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
