/**
 * The bundled sample data, imported once into an empty data folder so a fresh install has something to show:
 * each sample, its maximum-entropy network and the "seeded" flag are written in one transaction, so a start that
 * is killed half-way leaves nothing behind. A store seeded by an older version that was killed between the two
 * steps (the sample dataset without its maximum-entropy version, no flag) is repaired at the next start.
 */
import { readFileSync } from 'node:fs';
import type { SampleName } from '../../src-shared/contract';
import { importFile } from '../io/importers';
import { resourcesDir } from '../io/resources';
import type { Db } from '../store/db';
import { datasets, networks, settings } from '../store/repositories';
import { maxEntropyVersion, storeImportedDataset } from './services';

const SAMPLES = ['eba-2011-disclosure.csv'];
const SEEDED_KEY = 'samples.seeded';

/** Version ids of sample networks stored with version 1 only (a seeding killed before its second step). */
function halfSeeded(db: Db): number[] {
  const samples = new Set(
    datasets
      .list(db)
      .filter((d) => SAMPLES.includes(d.sourceFile))
      .map((d) => d.id),
  );
  return networks
    .list(db)
    .filter((network) => samples.has(network.datasetId) && network.versions.length === 1)
    .map((network) => network.versions[0]!.id);
}

/**
 * Imports the samples when the store has never been seeded, with the maximum-entropy network of the EBA
 * balance sheets as version 2 so that a fresh install can be stress tested at once; all in one transaction.
 * A user who deletes the samples does not get them back. Returns the maximum-entropy version ids written.
 */
export function seedSamples(db: Db): number[] {
  if (db.readonly || settings.get<boolean>(db, SEEDED_KEY)) return [];
  return db.transaction(() => {
    if (datasets.list(db).length > 0) {
      const repaired = halfSeeded(db).map((versionId) => maxEntropyVersion(db, versionId).versionId);
      settings.set(db, SEEDED_KEY, true);
      return repaired;
    }
    const versionIds = SAMPLES.map((file) => {
      const bytes = readFileSync(`${resourcesDir}samples/${file}`);
      return maxEntropyVersion(db, storeImportedDataset(db, importFile(file, bytes), file).versionId).versionId;
    });
    settings.set(db, SEEDED_KEY, true);
    return versionIds;
  })();
}

/** The bundled file behind each sample a screen's empty state offers. */
const OFFERED: Record<SampleName, string> = {
  'crossholdings-economy': 'crossholdings-40-firms.json',
};

/**
 * Stores an offered sample as a dataset, or, when the same file is already stored, opens that one (its newest
 * version) instead of refusing: clicking the offer twice does not fail or duplicate.
 */
export function addSample(db: Db, name: SampleName): { datasetId: number; versionId: number; created: boolean } {
  const file = OFFERED[name];
  const imported = importFile(file, readFileSync(`${resourcesDir}samples/${file}`));
  const existing = datasets.findBySha256(db, imported.sha256);
  if (existing) {
    const versionId = networks
      .list(db)
      .find((n) => n.datasetId === existing.id)
      ?.versions.at(-1)?.id;
    if (versionId !== undefined) return { datasetId: existing.id, versionId, created: false };
  }
  const stored = storeImportedDataset(db, imported, file);
  return { datasetId: stored.dataset.id, versionId: stored.versionId, created: true };
}
