/** Actions that span several repositories: each is one transaction, so a failure leaves the store as it was. */
import { scientific } from '../../src-shared/format/numbers';
import type { DatasetSummary } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import type { ScenarioOutcome } from '../../src-shared/results/stress';
import { scenarioOutcome, shockVector, type RecoveryRates } from '../engines/scenario-outcome';
import { maxentFromDocument, withLiabilities } from '../engines/maxent';
import { toClearingSystem } from '../engines/network-arrays';
import type { ExportedFile, ExportFormat } from '../../src-shared/contract';
import type { ColumnMapping } from '../../src-shared/formats/columns';
import type { ExportMetadata } from '../../src-shared/formats/export-marking';
import type { WiodOptionsInput } from '../../src-shared/formats/wiod';
import { networkToGraphml } from '../io/graphml';
import { importFileAsync, importNetworkTables, sha256Hex, type ImportedDataset } from '../io/importers';
import { serialiseJson } from '../io/network-json';
import { networkToCsv } from '../io/tabular-network';
import { networkToParquet } from '../io/network-parquet';
import { networkToXlsx } from '../io/xlsx-network';
import type { NetworkDocument } from '../../src-shared/formats/network';
import type { Db } from '../store/db';
import type { AppContext } from './context';
import type { HoldingsMapping } from '../io/holdings-csv';
import { importHoldingsFile } from '../io/holdings-tables';
import { alreadyImportedError } from '../io/import-error';
import { datasets, networks } from '../store/repositories';
import { recordImport } from '../store/audit';
import { briefMarking } from '../io/briefs/compose';
import { softwareVersion } from '../version';

/** Stores an imported dataset in one transaction: dataset, network, version 1. Refuses a file seen before. */
export function storeImportedDataset(
  db: Db,
  imported: ImportedDataset,
  sourceFile: string,
): { dataset: DatasetSummary; networkId: number; versionId: number } {
  return db.transaction(() => {
    const existing = datasets.findBySha256(db, imported.sha256);
    if (existing) throw alreadyImportedError(sourceFile, existing);
    const dataset = datasets.insert(db, {
      name: imported.name,
      kind: imported.kind,
      sourceFile,
      sha256: imported.sha256,
      report: imported.report,
    });
    const networkId = networks.insert(db, {
      datasetId: dataset.id,
      name: imported.network.name,
      kind: imported.network.kind,
    });
    const { versionId } = networks.addVersion(db, networkId, imported.network.document, imported.network.note);
    recordImport(db, dataset.id, { versionId });
    return { dataset, networkId, versionId };
  })();
}

/** Any network file the app reads (see io/importers.ts), with an optional column mapping for tables. */
export async function importDataset(
  db: Db,
  fileName: string,
  bytes: Uint8Array,
  mapping?: ColumnMapping,
  wiod?: WiodOptionsInput,
) {
  return storeImportedDataset(db, await importFileAsync(fileName, bytes, mapping, wiod), fileName);
}

/** A node table and a liability table given as two files. */
export async function importDatasetTables(
  db: Db,
  files: Array<{ fileName: string; bytes: Uint8Array }>,
  mapping?: ColumnMapping,
) {
  const imported = await importNetworkTables(files, mapping);
  return storeImportedDataset(db, imported, files.map((f) => f.fileName).join(' + '));
}

/**
 * The classification marking of an export (export-marking.ts): the request's marking and organisation, else the
 * saved settings (DEFAULT_MARKING and no organisation until someone saves them), with the time and software.
 */
export function exportMarking(db: Db, override: { marking?: string; organisation?: string } = {}): ExportMetadata {
  const saved = briefMarking(db);
  const organisation = (override.organisation ?? saved.organisation).trim();
  return {
    marking: (override.marking ?? saved.marking).trim(),
    ...(organisation ? { organisation } : {}),
    exportedAt: new Date().toISOString(),
    exportedBy: `Contagion Workbench ${softwareVersion}`,
  };
}

/**
 * The network version in one of the export formats, carrying the classification marking (`metadata`, by default
 * the saved settings'); CSV gives two files (nodes, liabilities).
 */
export async function exportVersion(
  db: Db,
  versionId: number,
  format: ExportFormat,
  metadata: ExportMetadata = exportMarking(db),
): Promise<{ files: ExportedFile[] }> {
  const stored = networks.getStoredVersion(db, versionId);
  const { network, version } = stored;
  const base = `${
    network.name
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .toLowerCase() || 'network'
  }-v${version}`;
  if (stored.kind === 'crossholdings') {
    if (format !== 'network@1')
      throw new AppError(
        'invalid_input',
        'a cross-holdings economy exports as crossholdings@1 JSON only (format "network@1" = JSON)',
        'format',
      );
    return {
      files: [{ fileName: `${base}.json`, content: serialiseJson(stored.document, metadata), encoding: 'utf8' }],
    };
  }
  const document = stored.document;
  switch (format) {
    case 'network@1':
      return { files: [{ fileName: `${base}.json`, content: serialiseJson(document, metadata), encoding: 'utf8' }] };
    case 'graphml':
      return {
        files: [{ fileName: `${base}.graphml`, content: networkToGraphml(document, metadata), encoding: 'utf8' }],
      };
    case 'xlsx':
      return {
        files: [
          {
            fileName: `${base}.xlsx`,
            content: Buffer.from(await networkToXlsx(document, metadata)).toString('base64'),
            encoding: 'base64',
          },
        ],
      };
    case 'csv': {
      const tables = networkToCsv(document, metadata);
      return {
        files: [
          { fileName: `${base}-nodes.csv`, content: tables.nodes, encoding: 'utf8' },
          { fileName: `${base}-liabilities.csv`, content: tables.liabilities, encoding: 'utf8' },
        ],
      };
    }
    case 'parquet': {
      const tables = networkToParquet(document, metadata);
      const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
      return {
        files: [
          { fileName: `${base}-nodes.parquet`, content: base64(tables.nodes), encoding: 'base64' },
          { fileName: `${base}-liabilities.parquet`, content: base64(tables.liabilities), encoding: 'base64' },
        ],
      };
    }
  }
}

/**
 * A holdings file uploaded through the API: streamed from memory (never written to disk in plaintext) into the
 * store on a connection of its own (its transaction stays open while the file streams, so it must not share the app's).
 */
export async function importHoldingsUpload(
  context: AppContext,
  fileName: string,
  bytes: Uint8Array,
  name?: string,
  mapping?: Partial<HoldingsMapping>,
) {
  const db = context.openConnection();
  try {
    const result = await importHoldingsFile(db, {
      bytes,
      fileName,
      datasetName: name ?? fileName.replace(/\.[^.]+$/, ''),
      mapping,
    });
    return {
      datasetId: result.datasetId,
      investors: result.investors,
      assets: result.assets,
      positions: result.positions,
    };
  } finally {
    db.close();
  }
}

/** A network drawn in the editor: its own dataset (provenance "created in the editor"), version 1. */
export function createNetwork(
  db: Db,
  document: NetworkDocument,
): { datasetId: number; networkId: number; versionId: number } {
  return db.transaction(() => {
    const createdAt = new Date().toISOString();
    const dataset = datasets.insert(db, {
      name: document.name,
      kind: 'network',
      sourceFile: '(created in the editor)',
      sha256: sha256Hex(new TextEncoder().encode(`${createdAt}\n${JSON.stringify(document)}`)),
      report: { importer: 'network editor', kept: document.nodes.length, skipped: [], notes: [`created ${createdAt}`] },
    });
    const networkId = networks.insert(db, { datasetId: dataset.id, name: document.name, kind: 'interbank' });
    // The editor's new network may start as an empty draft; every other stored network has at least one bank.
    const { versionId } = networks.addVersion(db, networkId, document, 'created in the editor', { allowEmpty: true });
    return { datasetId: dataset.id, networkId, versionId };
  })();
}

/** Saves the maximum-entropy reconstruction (RAS) of a version's inside margins as the network's next version. */
export function maxEntropyVersion(
  db: Db,
  versionId: number,
): { versionId: number; version: number; iterations: number; maxResidual: number; existing: boolean } {
  const { network, version, document } = networks.getVersion(db, versionId);
  const result = maxentFromDocument(document);
  if (!result.converged) {
    throw new AppError(
      'invalid_input',
      `maximum-entropy reconstruction did not converge in ${result.iterations} iterations (largest residual ${scientific(result.maxResidual)})`,
      'versionId',
    );
  }
  const reconstructed = withLiabilities(document, result.matrix);
  // The same reconstruction stored before (a second click): open that version instead of saving a twin.
  const text = JSON.stringify(reconstructed);
  const twin = network.versions.find(
    (v) =>
      v.id !== versionId &&
      v.edgeCount === reconstructed.liabilities.length &&
      JSON.stringify(networks.getVersion(db, v.id).document) === text,
  );
  if (twin)
    return {
      versionId: twin.id,
      version: twin.version,
      iterations: result.iterations,
      maxResidual: result.maxResidual,
      existing: true,
    };
  const note = `maximum-entropy reconstruction of v${version} (RAS, ${result.iterations} iterations, largest residual ${scientific(result.maxResidual)})`;
  const saved = db.transaction(() => networks.addVersion(db, network.id, reconstructed, note))();
  return { ...saved, iterations: result.iterations, maxResidual: result.maxResidual, existing: false };
}

/** Clears one scenario (absolute shocks by node id; absent ids take no shock) on a saved version. */
/**
 * One scenario cleared on a stored network version, by bank id, under the given recovery rates (Eisenberg–Noe when
 * none). A stress run keeps its largest-loss scenario's outcome; this serves runs saved before that and ad-hoc shocks.
 */
export function clearScenarioOfVersion(
  db: Db,
  versionId: number,
  shocksById: Record<string, number>,
  recovery?: RecoveryRates,
): ScenarioOutcome {
  const { document } = networks.getVersion(db, versionId);
  const system = toClearingSystem(document);
  const known = new Set(system.ids);
  const unknown = Object.keys(shocksById).find((id) => !known.has(id));
  if (unknown !== undefined) throw new AppError('invalid_input', `unknown node id "${unknown}"`, `shocks.${unknown}`);
  return scenarioOutcome(system, shockVector(system, shocksById), recovery);
}
