/** The bundled sample data, imported once into an empty data folder so a fresh install has something to show. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db } from '../store/db';
import { datasets, settings } from '../store/repositories';
import { maxEntropyVersion, storeImportedDataset } from '../api/services';
import { importFile } from './importers';

/** resources/ sits two levels above both src-main/io/ and the bundled out/main/. */
export const resourcesDir = fileURLToPath(new URL('../../resources/', import.meta.url));

const SAMPLES = ['eba-2011-disclosure.csv'];
const SEEDED_KEY = 'samples.seeded';

/**
 * Imports the samples when the store has never been seeded, with the maximum-entropy network of the EBA
 * balance sheets as version 2 so that a fresh install can be stress tested at once. A user who deletes the
 * samples does not get them back.
 */
export function seedSamples(db: Db): number[] {
  if (settings.get<boolean>(db, SEEDED_KEY) || datasets.list(db).length > 0) return [];
  const versionIds = SAMPLES.map((file) => {
    const bytes = readFileSync(`${resourcesDir}samples/${file}`);
    return maxEntropyVersion(db, storeImportedDataset(db, importFile(file, bytes), file).versionId).versionId;
  });
  settings.set(db, SEEDED_KEY, true);
  return versionIds;
}
