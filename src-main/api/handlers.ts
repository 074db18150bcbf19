/** The handlers behind each channel of the contract: thin, over the store and services. */
import { toClearingSystem } from '../engines/network-arrays';
import { parseShockCsv } from '../io/shock-csv';
import { previewTables } from '../io/tables';
import { pickedText } from './file-handles';
import { holdingsGraph } from '../store/holdings';
import { datasets, networks, runs, settings } from '../store/repositories';
import { policyExample } from './policy-services';
import type { Handlers } from './router';
import { exampleFireSale, simulateAndSaveFireSale } from './firesale-services';
import { addHoldingsSample, modelEmbeddings } from './gt-services';
import { gtModels } from '../store/holdings-panel';
import { downloadBrief, exportBrief } from './brief-services';
import { assembleBrief, briefContexts, briefMarking } from '../io/briefs/compose';
import { BRIEF_SETTINGS_KEY } from '../../src-shared/briefs';
import { briefs } from '../store/briefs';
import {
  listAudit,
  recordAudit,
  recordExports,
  recordDatasetDeletion,
  recordEmbeddingsExport,
  recordVersionExport,
  verifyAudit,
} from '../store/audit';
import {
  clearScenarioOfVersion,
  createNetwork,
  exportMarking,
  exportVersion,
  importDataset,
  importDatasetTables,
  importHoldingsUpload,
  maxEntropyVersion,
} from './services';
import { saveReconstructedVersion } from './reconstruction-services';
import { tiersOfVersion } from './capital-services';
import { deleteRun, deleteVersion, renameDataset, renameNetwork, renameRun } from './store-services';
import { addSample } from './samples';
import { exportTable } from '../io/table-export';

export const handlers: Handlers = {
  'app:info': (_input, context) => context.info(),

  'datasets:list': (_input, { db }) => datasets.list(db),
  'datasets:get': ({ id }, { db }) => datasets.detail(db, id),
  'datasets:preview': async ({ files }, context) => ({
    files: await Promise.all(
      files.map(async (file) => ({
        fileName: file.fileName,
        tables: (await previewTables(file.fileName, context.files.read(file).bytes)).map(
          ({ name, columns, rows, rowCount, mapping }) => ({ name, columns, rows, rowCount, mapping }),
        ),
      })),
    ),
  }),
  'datasets:import': ({ mapping, wiod, ...file }, { db, files }) =>
    importDataset(db, file.fileName, files.read(file).bytes, mapping, wiod),
  'datasets:importTables': ({ files, mapping }, context) =>
    importDatasetTables(
      context.db,
      files.map((file) => context.files.read(file)),
      mapping,
    ),
  'datasets:importHoldings': ({ name, mapping, ...file }, context) =>
    importHoldingsUpload(context, file.fileName, context.files.read(file).bytes, name, mapping),
  'datasets:delete': ({ id }, { db }) => {
    db.transaction(() => {
      const dataset = datasets.get(db, id);
      datasets.delete(db, id);
      recordDatasetDeletion(db, dataset);
    })();
    return { deleted: id };
  },
  'datasets:rename': ({ id, name }, { db }) => renameDataset(db, id, name),
  'samples:add': ({ name }, { db }) => addSample(db, name),
  'tables:export': async (request, { db }) => {
    const marking = exportMarking(db);
    const file = await exportTable(request, marking);
    recordExports(
      db,
      { subject: `table "${request.title}" (${request.rows.length} rows)`, format: request.format, refs: {}, marking },
      [file],
    );
    return file;
  },

  'networks:list': (_input, { db }) => networks.list(db),
  'networks:create': ({ document }, { db }) => createNetwork(db, document),
  'networks:get': ({ versionId }, { db }) => networks.getVersion(db, versionId),
  'networks:saveVersion': ({ networkId, note, document }, { db }) =>
    db.transaction(() => networks.addVersion(db, networkId, document, note))(),
  'networks:export': async ({ versionId, format, marking: ownMarking, organisation }, { db }) => {
    const marking = exportMarking(db, { marking: ownMarking, organisation });
    const result = await exportVersion(db, versionId, format, marking);
    recordVersionExport(db, versionId, format, result.files, marking);
    return result;
  },
  'networks:maxEntropy': ({ versionId }, { db }) => maxEntropyVersion(db, versionId),
  'networks:rename': ({ networkId, name }, { db }) => renameNetwork(db, networkId, name),
  'versions:delete': ({ versionId }, { db }) => deleteVersion(db, versionId),
  'networks:clearScenario': ({ versionId, shocks, recovery }, { db }) =>
    clearScenarioOfVersion(db, versionId, shocks, recovery),
  'files:readText': (file, { files }) => pickedText(files, file),
  'networks:readScenarios': ({ versionId, ...file }, { db, files }) => {
    const system = toClearingSystem(networks.getVersion(db, versionId).document);
    const table = parseShockCsv(pickedText(files, file), system, file.fileName);
    return {
      fileName: file.fileName,
      scenarioNames: table.scenarioNames,
      rows: table.rows.map((row) => Array.from(row)),
    };
  },

  'economies:get': ({ versionId }, { db }) => networks.getEconomyVersion(db, versionId),
  'economies:saveVersion': ({ networkId, note, document }, { db }) =>
    db.transaction(() => networks.addVersion(db, networkId, document, note))(),
  'holdings:graph': ({ datasetId, ...options }, { db }) => holdingsGraph(db, datasets.get(db, datasetId).id, options),

  'jobs:start': ({ kind, params }, { jobs }) => ({ jobId: jobs.start(kind, params).jobId }),
  'jobs:cancel': ({ jobId }, { jobs }) => jobs.cancel(jobId),
  'jobs:list': (_input, { jobs }) => jobs.list(),

  'runs:list': ({ kind }, { db }) => runs.list(db, kind),
  'runs:get': ({ id }, { db }) => runs.get(db, id),
  'runs:rename': ({ id, name }, { db }) => renameRun(db, id, name),
  'runs:dependents': ({ id }, { db }) => runs.dependents(db, id),
  'runs:delete': ({ id }, { db }) => deleteRun(db, id),

  'firesales:example': ({ name }) => exampleFireSale(name),
  'firesales:simulate': (input, { db }) => simulateAndSaveFireSale(db, input),
  'reconstruction:saveVersion': ({ runId, objective, note }, { db }) =>
    saveReconstructedVersion(db, runId, objective, note),
  'holdings:generate': (input, { db }) => addHoldingsSample(db, input),
  'models:list': (_input, { db }) => gtModels.list(db),
  'models:get': ({ id }, { db }) => gtModels.metrics(db, id),
  'models:embeddings': async ({ id, datasetId, date, export: asFile }, { db }) => {
    const result = await modelEmbeddings(db, id, datasetId, date);
    if (asFile)
      recordEmbeddingsExport(db, id, datasetId ?? gtModels.metrics(db, id).datasetId, {
        fileName: result.fileName,
        csv: result.csv,
        date: result.map.date,
      });
    return result;
  },
  'capital:tiers': ({ versionId, tiers, base }, { db }) => tiersOfVersion(db, versionId, tiers, base),
  'policy:example': ({ name }) => policyExample(name),
  'briefs:compose': async ({ compositionId, ...request }, { db, briefComposer }) => {
    const contexts = briefContexts(db, request);
    const composed = assembleBrief(db, request, contexts, await briefComposer.compose(contexts, compositionId));
    recordAudit(db, {
      action: 'brief-composed',
      subject: `brief "${composed.title}" of run${composed.runIds.length > 1 ? 's' : ''} ${composed.runIds.map((r) => `#${r}`).join(', ')} (preview)`,
      details: { runIds: composed.runIds },
    });
    return composed;
  },
  'briefs:cancel': ({ compositionId }, { briefComposer }) => briefComposer.cancel(compositionId),
  'briefs:export': ({ format, ...request }, { db }) => exportBrief(db, request, format),
  'briefs:exportTo': async ({ format, target, ...request }, { db, files, dataDir }) => {
    let path = '';
    const { brief } = await exportBrief(db, request, format, (bytes) => (path = files.saveTo(target, bytes, dataDir)));
    return { brief, path };
  },
  'briefs:list': (_input, { db }) => briefs.list(db),
  'briefs:settings': (_input, { db }) => briefMarking(db),
  'briefs:saveSettings': (input, { db }) => {
    settings.set(db, BRIEF_SETTINGS_KEY, input);
    return briefMarking(db);
  },
  'briefs:download': ({ id }, { db }) => downloadBrief(db, id),
  'briefs:downloadTo': ({ id, target }, { db, files, dataDir }) => {
    let path = '';
    downloadBrief(db, id, (bytes) => (path = files.saveTo(target, bytes, dataDir)));
    return { path };
  },
  'audit:list': ({ limit, before }, { db }) => listAudit(db, { limit, before }),
  'audit:verify': ({ head }, { db }) => verifyAudit(db, head),
};
