/** `cwb import`, `cwb list`, `cwb export`: the Data screen's actions from the command line. */
import { basename, extname } from 'node:path';
import { DEFAULT_MARKING } from '../../../src-shared/briefs';
import { EXPORT_FORMATS, type ExportFormat } from '../../../src-shared/contract';
import { importHoldingsFile } from '../../io/holdings-tables';
import { call } from '../../api/router';
import { UsageError, type Command } from '../command';
import { assertReadable, positiveId } from './common';
import { FORCE_FLAG, checkOutTargets, writeOutFiles } from './out-file';
import { WIOD_FLAGS, wiodFromFlags } from './wiod-flags';

export const importCommand: Command = {
  name: 'import',
  summary:
    'import a network (network@1 JSON, EBA disclosure CSV, GraphML, XLSX, a CSV or Parquet edge list, or a node table and a liability table as CSV or Parquet) or a holdings file',
  usage:
    'cwb import FILE [LIABILITIES.csv|LIABILITIES.parquet] [--holdings [--name NAME] [--investor ID --date YYYY-MM-DD]] [--wiod-* choices for a WIOT .xlsx] [--json]',
  positionals: { min: 1, max: 2 },
  flags: [
    {
      name: 'holdings',
      description:
        'FILE is a holdings CSV, XLSX or Parquet file (investor, asset, date, amount; optional AUM, amount outstanding, types): streamed into the store',
    },
    { name: 'name', value: 'NAME', description: 'name of the holdings dataset (default: the file name)' },
    ...WIOD_FLAGS,
    { name: 'investor', value: 'ID', description: 'a SEC 13F information table (.xml): the filer (e.g. its CIK)' },
    { name: 'date', value: 'YYYY-MM-DD', description: 'a SEC 13F information table (.xml): the period of the report' },
  ],
  async run({ positionals, flags }, io, context) {
    const [path, second] = positionals as [string, string | undefined];
    if (flags.holdings) {
      if (second) throw new UsageError('--holdings takes one file');
      assertReadable(path);
      const result = await importHoldingsFile(context().db, {
        filePath: path,
        fileName: basename(path),
        datasetName: typeof flags.name === 'string' ? flags.name : basename(path).replace(/\.[^.]+$/, ''),
        onProgress: (rows) => io.err(`\r${rows.toLocaleString()} rows`),
        ...(typeof flags.investor === 'string' && typeof flags.date === 'string'
          ? { filer: { investor: flags.investor, date: flags.date } }
          : {}),
      });
      io.out(
        flags.json
          ? JSON.stringify(result)
          : `imported holdings dataset ${result.datasetId}: ${result.investors} investors, ${result.assets} assets, ${result.positions} positions`,
      );
      return 0;
    }
    const app = context();
    const upload = (file: string) => {
      assertReadable(file);
      return app.files.fromPath(file);
    };
    const { router } = app;
    const result = second
      ? await call(router, 'datasets:importTables', { files: [upload(path), upload(second)] })
      : await call(router, 'datasets:import', { ...upload(path), ...wiodFromFlags(flags) });
    if (flags.json) {
      io.out(JSON.stringify(result));
    } else {
      const { dataset } = result;
      io.out(
        `imported dataset ${dataset.id} "${dataset.name}": ${dataset.report.kept} kept; network version ${result.versionId}`,
      );
      for (const skip of dataset.report.skipped) io.out(`  left out ${skip.id}: ${skip.reason}`);
    }
    return 0;
  },
};

export const listCommand: Command = {
  name: 'list',
  summary: 'list datasets and their network versions (the IDs that export and the app use)',
  usage: 'cwb list [--json]',
  positionals: 0,
  flags: [],
  async run({ flags }, io, context) {
    const { router } = context();
    const [datasetList, networkList] = await Promise.all([
      call(router, 'datasets:list', {}),
      call(router, 'networks:list', {}),
    ]);
    if (flags.json) {
      io.out(JSON.stringify({ datasets: datasetList, networks: networkList }));
      return 0;
    }
    if (datasetList.length === 0) io.out('no datasets yet: cwb import FILE');
    for (const dataset of datasetList) {
      io.out(
        `dataset ${dataset.id}  ${dataset.name}  [${dataset.kind}]  from ${dataset.sourceFile}  ${dataset.importedAt}`,
      );
      for (const network of networkList.filter((n) => n.datasetId === dataset.id)) {
        for (const version of network.versions) {
          io.out(
            `  version ${version.id}  ${network.name} v${version.version}  ${version.nodeCount} nodes, ${version.edgeCount} liabilities  — ${version.note}`,
          );
        }
      }
    }
    return 0;
  },
};

/** --marking TEXT or --organisation NAME: at most 120 characters (the settings' limits), the marking not blank. */
function markingFlag(
  flags: Record<string, string | true>,
  name: 'marking' | 'organisation',
  minLength: number,
): string | undefined {
  const value = flags[name];
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value.trim() : '';
  if (text.length < minLength)
    throw new UsageError(
      `--${name} needs a text, e.g. --${name} "${name === 'marking' ? DEFAULT_MARKING : 'Financial Stability Department'}"`,
    );
  if (text.length > 120) throw new UsageError(`--${name} is longer than 120 characters`);
  return text;
}

const FORMAT_BY_EXTENSION: Record<string, ExportFormat> = {
  '.json': 'network@1',
  '.csv': 'csv',
  '.graphml': 'graphml',
  '.xlsx': 'xlsx',
  '.parquet': 'parquet',
};

/** Formats written as two files, FILE-nodes.EXT and FILE-liabilities.EXT. */
const TABLE_PAIR_EXTENSION: Partial<Record<ExportFormat, string>> = { csv: '.csv', parquet: '.parquet' };

export const exportCommand: Command = {
  name: 'export',
  summary:
    'write a network version as network@1 JSON, CSV or Parquet (two files: nodes and liabilities), GraphML or XLSX',
  usage:
    'cwb export VERSION_ID --out FILE [--format json|csv|parquet|graphml|xlsx] [--marking TEXT] [--organisation NAME] [--force]',
  positionals: 1,
  flags: [
    {
      name: 'out',
      value: 'FILE',
      description:
        'where to write (required); CSV writes FILE-nodes.csv and FILE-liabilities.csv, Parquet FILE-nodes.parquet and FILE-liabilities.parquet',
    },
    {
      name: 'format',
      value: 'FORMAT',
      description: 'json, csv, parquet, graphml or xlsx (default: from the extension of --out)',
    },
    {
      name: 'marking',
      value: 'TEXT',
      description: `classification marking the files carry (default: the saved setting, "${DEFAULT_MARKING}" until one is saved)`,
    },
    {
      name: 'organisation',
      value: 'NAME',
      description: 'organisation named beside the marking (default: the saved setting)',
    },
    FORCE_FLAG,
  ],
  async run({ positionals, flags }, io, context) {
    if (typeof flags.out !== 'string') throw new UsageError('--out FILE is required');
    const versionId = positiveId(positionals[0], 'VERSION_ID');
    const marking = markingFlag(flags, 'marking', 1);
    const organisation = markingFlag(flags, 'organisation', 0);
    const requested =
      typeof flags.format === 'string'
        ? flags.format === 'json'
          ? 'network@1'
          : flags.format
        : FORMAT_BY_EXTENSION[extname(flags.out).toLowerCase()];
    if (!requested || !(EXPORT_FORMATS as readonly string[]).includes(requested)) {
      throw new UsageError(
        `--format must be json, csv, parquet, graphml or xlsx (or give --out a .json, .csv, .parquet, .graphml or .xlsx name)`,
      );
    }
    const out = flags.out;
    const stem = out.slice(0, out.length - extname(out).length);
    const pair = TABLE_PAIR_EXTENSION[requested as ExportFormat];
    // CSV and Parquet are two files, FILE-nodes.EXT and FILE-liabilities.EXT (the export names them …-nodes.EXT).
    const pairTarget = (part: 'nodes' | 'liabilities') => `${stem}-${part}${pair}`;
    const targetOf = (fileName: string) =>
      pair ? pairTarget(/-liabilities\.[^.]+$/.test(fileName) ? 'liabilities' : 'nodes') : out;
    const app = context();
    // Refused before the export is built.
    checkOutTargets(pair ? [pairTarget('nodes'), pairTarget('liabilities')] : [out], flags, app);
    const { files } = await call(app.router, 'networks:export', {
      versionId,
      format: requested as ExportFormat,
      marking,
      organisation,
    });
    const written = writeOutFiles(
      files.map((file) => ({
        path: targetOf(file.fileName),
        content: file.encoding === 'base64' ? Buffer.from(file.content, 'base64') : file.content,
      })),
      flags,
      app,
    );
    io.err(`wrote network version ${versionId} to ${written.join(' and ')}`);
    if (flags.json) io.out(JSON.stringify({ versionId, out: written }));
    return 0;
  },
};
