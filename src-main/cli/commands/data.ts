/** `cwb import`, `cwb list`, `cwb export`: the Data screen's actions from the command line. */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { call } from '../../api/router';
import { UsageError, type Command } from '../command';

function readInputFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function positiveId(text: string, what: string): number {
  const id = Number(text);
  if (!Number.isInteger(id) || id <= 0) throw new UsageError(`${what} must be a positive whole number, got "${text}"`);
  return id;
}

export const importCommand: Command = {
  name: 'import',
  summary: 'import a file (network@1 JSON, EBA disclosure CSV) into the store as a new dataset',
  usage: 'cwb import FILE [--json]',
  positionals: 1,
  flags: [],
  async run({ positionals, flags }, io, context) {
    const path = positionals[0]!;
    const bytes = readInputFile(path);
    const result = await call(context().router, 'datasets:import', {
      fileName: basename(path),
      contentBase64: bytes.toString('base64'),
    });
    if (flags.json) {
      io.out(JSON.stringify(result));
    } else {
      const { dataset } = result;
      io.out(`imported dataset ${dataset.id} "${dataset.name}": ${dataset.report.kept} kept; network version ${result.versionId}`);
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
      io.out(`dataset ${dataset.id}  ${dataset.name}  [${dataset.kind}]  from ${dataset.sourceFile}  ${dataset.importedAt}`);
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

export const exportCommand: Command = {
  name: 'export',
  summary: 'write a network version as network@1 JSON',
  usage: 'cwb export VERSION_ID --out FILE',
  positionals: 1,
  flags: [{ name: 'out', value: 'FILE', description: 'where to write the JSON (required)' }],
  async run({ positionals, flags }, io, context) {
    if (typeof flags.out !== 'string') throw new UsageError('--out FILE is required');
    const versionId = positiveId(positionals[0]!, 'VERSION_ID');
    const { content } = await call(context().router, 'networks:export', { versionId, format: 'network@1' });
    writeFileSync(flags.out, content);
    io.err(`wrote network version ${versionId} to ${flags.out}`);
    if (flags.json) io.out(JSON.stringify({ versionId, out: flags.out }));
    return 0;
  },
};
