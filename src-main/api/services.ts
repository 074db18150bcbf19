/** Actions that span several repositories: each is one transaction, so a failure leaves the store as it was. */
import type { DatasetSummary } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import type { ScenarioOutcome } from '../../src-shared/results/stress';
import { clearScenario } from '../engines/clearing';
import { maxentFromDocument, withLiabilities } from '../engines/maxent';
import { toClearingSystem } from '../engines/network-arrays';
import { importFile, sha256Hex } from '../io/importers';
import type { NetworkDocument } from '../../src-shared/formats/network';
import type { Db } from '../store/db';
import { datasets, networks } from '../store/repositories';

export function importDataset(
  db: Db,
  fileName: string,
  bytes: Uint8Array,
): { dataset: DatasetSummary; networkId: number; versionId: number } {
  const imported = importFile(fileName, bytes);
  return db.transaction(() => {
    const existing = datasets.findBySha256(db, imported.sha256);
    if (existing) {
      throw new AppError(
        'conflict',
        `${fileName} was already imported as dataset ${existing.id} "${existing.name}" on ${existing.importedAt.slice(0, 10)} (same SHA-256)`,
      );
    }
    const dataset = datasets.insert(db, {
      name: imported.name,
      kind: imported.kind,
      sourceFile: fileName,
      sha256: imported.sha256,
      report: imported.report,
    });
    const networkId = networks.insert(db, { datasetId: dataset.id, name: imported.network.name, kind: 'interbank' });
    const { versionId } = networks.addVersion(db, networkId, imported.network.document, imported.network.note);
    return { dataset, networkId, versionId };
  })();
}

/** A network drawn in the editor: its own dataset (provenance "created in the editor"), version 1. */
export function createNetwork(db: Db, document: NetworkDocument): { datasetId: number; networkId: number; versionId: number } {
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
    const { versionId } = networks.addVersion(db, networkId, document, 'created in the editor');
    return { datasetId: dataset.id, networkId, versionId };
  })();
}

/** Saves the maximum-entropy reconstruction (RAS) of a version's inside margins as the network's next version. */
export function maxEntropyVersion(
  db: Db,
  versionId: number,
): { versionId: number; version: number; iterations: number; maxResidual: number } {
  const { network, version, document } = networks.getVersion(db, versionId);
  const result = maxentFromDocument(document);
  if (!result.converged) {
    throw new AppError(
      'invalid_input',
      `maximum-entropy reconstruction did not converge in ${result.iterations} iterations (largest residual ${result.maxResidual})`,
      'versionId',
    );
  }
  const reconstructed = withLiabilities(document, result.matrix);
  const note = `maximum-entropy reconstruction of v${version} (RAS, ${result.iterations} iterations, largest residual ${result.maxResidual.toExponential(2)})`;
  const saved = db.transaction(() => networks.addVersion(db, network.id, reconstructed, note))();
  return { ...saved, iterations: result.iterations, maxResidual: result.maxResidual };
}

/** Clears one scenario (absolute shocks by node id; absent ids take no shock) on a saved version. */
export function clearScenarioOfVersion(db: Db, versionId: number, shocksById: Record<string, number>): ScenarioOutcome {
  const { document } = networks.getVersion(db, versionId);
  const system = toClearingSystem(document);
  const index = new Map(system.ids.map((id, i) => [id, i]));
  const shock = new Float64Array(system.nBanks);
  for (const [id, value] of Object.entries(shocksById)) {
    const i = index.get(id);
    if (i === undefined) throw new AppError('invalid_input', `unknown node id "${id}"`, `shocks.${id}`);
    shock[i] = value;
  }
  const outcome = clearScenario(system, shock, { depth: true });
  const byId = (values: Float64Array) => Object.fromEntries(system.ids.map((id, i) => [id, values[i]!]));
  return {
    loss: outcome.loss,
    shortfallTotal: outcome.shortfallTotal,
    shockTotal: outcome.shockTotal,
    rounds: outcome.rounds,
    defaults: outcome.defaults.map((i) => ({ id: system.ids[i]!, round: outcome.defaultRound[i]! })),
    depth: byId(outcome.depth),
    payments: byId(outcome.payments),
  };
}
