/** Services behind the graph-transformer channels: sample and synthetic holdings, models, embedding maps. */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { AppError } from '../../src-shared/errors';
import type { holdingsGenerateSchema } from '../../src-shared/graph-transformer';
import type { GtEmbeddingMap } from '../../src-shared/results/graph-transformer';
import { generateHoldings } from '../engines/holdings-generator';
import { EBA_SOVEREIGN_FILE, parseEbaSovereignHoldings } from '../io/eba-sovereign-holdings';
import { resourcesDir } from '../io/resources';
import { selectLearningBackend } from '../learning/backend';
import { embedPanel, embeddingsCsv, principalComponents2 } from '../learning/gt-evaluation';
import type { GraphTransformerArtifact } from '../learning/gt-training';
import type { Db } from '../store/db';
import { gtModels, loadHoldingsPanel, saveHoldingsPanel } from '../store/holdings-panel';

/** Stores generated holdings or the bundled EBA 2011 bank × sovereign holdings as a holdings dataset. */
export function addHoldingsSample(
  db: Db,
  input: z.output<typeof holdingsGenerateSchema>,
): { datasetId: number; created: boolean } {
  if (input.kind === 'eba-2011-sovereign') {
    const panel = parseEbaSovereignHoldings(readFileSync(`${resourcesDir}samples/${EBA_SOVEREIGN_FILE}`, 'utf8'));
    return saveHoldingsPanel(db, panel, {
      name: 'EBA 2011 sovereign holdings (90 banks)',
      sourceFile: EBA_SOVEREIGN_FILE,
      importer: 'EBA 2011 sovereign exposures (code 34010)',
      notes: ['gross direct sovereign exposures at 2011-12-31, EUR million; one report date (embeddings, not trades)'],
    });
  }
  const options = {
    investors: input.investors,
    assets: input.assets,
    dates: input.dates,
    positionsPerInvestor: input.positionsPerInvestor,
    seed: input.seed,
  };
  const panel = generateHoldings(options);
  const stressed = panel.stressIndex.filter((row) => row.value > 1.5).map((row) => row.date);
  return saveHoldingsPanel(db, panel, {
    name: `Synthetic holdings (${options.investors} investors × ${options.assets} assets, seed ${options.seed})`,
    sourceFile: `generator:${JSON.stringify(options)}`,
    importer: 'holdings generator (planted styles and factors)',
    notes: [
      `${options.dates} quarters from 2015-03-31, ${options.positionsPerInvestor} positions per investor on average, seed ${options.seed}`,
      `stress quarters (index > 1.5): ${stressed.join(', ') || 'none'}`,
      `stress index: ${panel.stressIndex.map((row) => `${row.date}=${row.value.toFixed(2)}`).join(' ')}`,
    ],
  });
}

/** Embeddings of a dataset's nodes at a date under a stored model: the 2-D map and the CSV. */
export async function modelEmbeddings(
  db: Db,
  modelId: number,
  datasetId: number | undefined,
  date: string | undefined,
): Promise<{ map: GtEmbeddingMap; csv: string; fileName: string }> {
  const artifact = gtModels.artifact<GraphTransformerArtifact>(db, modelId);
  const metrics = gtModels.metrics(db, modelId);
  const source = datasetId ?? metrics.datasetId;
  if (source === null) throw new AppError('invalid_input', 'the model records no dataset; name one', 'datasetId');
  const { panel } = loadHoldingsPanel(db, source);
  await selectLearningBackend('auto');
  const embeddings = await embedPanel(artifact, panel, date);
  const { coordinates, explained } = principalComponents2(
    embeddings.values,
    embeddings.nodes.length,
    embeddings.dimension,
  );
  return {
    map: {
      modelId,
      date: embeddings.date,
      explained,
      points: embeddings.nodes.map((node, v) => ({ ...node, x: coordinates[2 * v]!, y: coordinates[2 * v + 1]! })),
    },
    csv: embeddingsCsv(embeddings),
    fileName: `embeddings-model${modelId}-dataset${source}-${embeddings.date}.csv`,
  };
}
