/** `cwb brief` (a brief from saved runs) and `cwb demo` (the bundled EBA 2011 case end to end, ending in a brief). */
import { extname } from 'node:path';
import { BRIEF_FORMATS, DEFAULT_MARKING, briefRequestSchema, type BriefFormat } from '../../../src-shared/briefs';
import { describeIssues } from '../../../src-shared/errors';
import type { AppContext } from '../../app';
import { call } from '../../api/router';
import { exportBrief } from '../../api/brief-services';
import { safeWriteFile } from '../../io/safe-write';
import { seedSamples } from '../../api/samples';
import { runJob } from '../job-run';
import { UsageError, type Command, type CommandIo, type FlagSpec } from '../command';
import { jobParamSchemas } from '../../../src-shared/jobs';
import { requiredFlag, schemaFlag } from '../schema-flags';
import { FORCE_FLAG, checkOutTargets, outOptions } from './out-file';

const FORMAT_FLAGS: FlagSpec[] = [
  { name: 'format', value: 'FORMAT', description: 'pdf, docx, xlsx or csv (default: from the extension of --out)' },
  { name: 'title', value: 'TITLE', description: 'title of the brief' },
  {
    name: 'marking',
    value: 'MARKING',
    description: `classification marking printed on every page (default: the saved setting, "${DEFAULT_MARKING}" until one is saved)`,
  },
  {
    name: 'organisation',
    value: 'NAME',
    description: 'organisation printed under the title and in the footer (default: the saved setting)',
  },
  FORCE_FLAG,
];

function formatOf(out: string, flag: string | true | undefined): BriefFormat {
  const requested = typeof flag === 'string' ? flag : extname(out).slice(1).toLowerCase();
  if (!(BRIEF_FORMATS as readonly string[]).includes(requested)) {
    throw new UsageError(
      `--format must be pdf, docx, xlsx or csv (or give --out a .pdf, .docx, .xlsx or .csv name), got "${requested}"`,
    );
  }
  return requested as BriefFormat;
}

function parseRunIds(text: string | true | undefined): number[] {
  if (typeof text !== 'string')
    throw new UsageError('--runs ID,ID,… is required (see: cwb list runs with the app, or cwb demo)');
  return text.split(',').map((part) => {
    const id = Number(part.trim());
    if (!Number.isInteger(id) || id <= 0)
      throw new UsageError(`--runs must be run IDs separated by commas, got "${part}"`);
    return id;
  });
}

async function writeBrief(
  context: AppContext,
  io: CommandIo,
  request: { runIds: number[]; title: string; marking?: string; organisation?: string; includeAuditTrail?: boolean },
  out: string,
  format: BriefFormat,
  flags: Record<string, string | true>,
): Promise<void> {
  const parsed = briefRequestSchema.safeParse(request);
  if (!parsed.success) throw new UsageError(describeIssues(parsed.error.issues).message);
  // The file is written (atomically) inside the transaction that records the brief: no write, no saved brief.
  const { brief } = await exportBrief(context.db, parsed.data, format, (rendered) =>
    safeWriteFile(out, rendered, outOptions(flags, context)),
  );
  const json = Boolean(flags.json);
  io.err(
    `wrote ${format.toUpperCase()} brief "${brief.title}" (runs ${brief.runIds.join(', ')}, ${brief.bytes.toLocaleString('en-US')} bytes) to ${out}; saved as brief ${brief.id}`,
  );
  if (json) io.out(JSON.stringify({ briefId: brief.id, runIds: brief.runIds, format, out, bytes: brief.bytes }));
}

const stringFlag = (flags: Record<string, string | true>, name: string) =>
  typeof flags[name] === 'string' ? flags[name] : undefined;

export const briefCommand: Command = {
  name: 'brief',
  summary: 'compose a brief from saved runs: PDF, DOCX, or the XLSX/CSV annex of its tables',
  usage:
    'cwb brief --runs ID,ID --out brief.pdf|brief.docx|brief.xlsx|brief.csv [--title TITLE] [--marking MARKING] [--organisation NAME] [--audit-trail] [--force]',
  positionals: 0,
  flags: [
    { name: 'runs', value: 'IDS', description: 'saved run IDs, separated by commas (a section per run)' },
    { name: 'out', value: 'FILE', description: 'where to write the brief (required)' },
    {
      name: 'audit-trail',
      description: 'add the audit-trail entries of these runs and their data to the provenance appendix',
    },
    ...FORMAT_FLAGS,
  ],
  async run({ flags }, io, context) {
    const runIds = parseRunIds(flags.runs);
    const out = stringFlag(flags, 'out');
    if (!out) throw new UsageError('--out FILE is required');
    const format = formatOf(out, flags.format);
    const title =
      stringFlag(flags, 'title') ??
      `Contagion brief: run${runIds.length > 1 ? 's' : ''} ${runIds.map((id) => `#${id}`).join(', ')}`;
    checkOutTargets([out], flags, context());
    await writeBrief(
      context(),
      io,
      {
        runIds,
        title,
        marking: stringFlag(flags, 'marking'),
        organisation: stringFlag(flags, 'organisation'),
        includeAuditTrail: Boolean(flags['audit-trail']),
      },
      out,
      format,
      flags,
    );
    return 0;
  },
};

/** The EBA sample's maximum-entropy network: seeded into an empty store, else found among the networks. */
async function ebaVersionId(context: AppContext): Promise<number> {
  const seeded = seedSamples(context.db);
  if (seeded[0] !== undefined) return seeded[0];
  const networks = await call(context.router, 'networks:list', {});
  const eba = networks.find(
    (n) => n.kind === 'interbank' && /EBA 2011/.test(n.name) && n.versions.some((v) => v.edgeCount > 0),
  );
  if (!eba)
    throw new UsageError(
      'no EBA 2011 network with liabilities in this data folder; run "cwb demo" on an empty --data-dir',
    );
  return eba.versions.filter((v) => v.edgeCount > 0).at(-1)!.id;
}

const DEMO_SAMPLES_FLAG = schemaFlag('samples', 'N', jobParamSchemas.stress.shape.samples, 'stress scenarios', 20_000);
const DEMO_SEED_FLAG = schemaFlag('seed', 'S', jobParamSchemas.stress.shape.seed, 'random seed', 1);

export const demoCommand: Command = {
  name: 'demo',
  summary: 'the bundled EBA 2011 case end to end: maximum-entropy network, stress test, brief',
  usage: 'cwb demo [--out eba-2011-brief.pdf] [--force] [--samples N] [--seed S]',
  positionals: 0,
  flags: [
    { name: 'out', value: 'FILE', description: 'where to write the brief (default eba-2011-brief.pdf)' },
    DEMO_SAMPLES_FLAG,
    DEMO_SEED_FLAG,
    ...FORMAT_FLAGS,
  ],
  async run({ flags }, io, context) {
    const out = stringFlag(flags, 'out') ?? 'eba-2011-brief.pdf';
    const format = formatOf(out, flags.format);
    const samples = requiredFlag(flags, DEMO_SAMPLES_FLAG);
    const seed = requiredFlag(flags, DEMO_SEED_FLAG);
    const app = context();
    checkOutTargets([out], flags, app); // before the stress test, not after it
    const versionId = await ebaVersionId(app);
    io.err(
      `demo: stress test of network version ${versionId} (EBA 2011, maximum entropy), ${samples} uniform scenarios up to 10% of outside assets, seed ${seed}`,
    );
    const run = await runJob(
      app,
      io,
      'stress',
      { versionId, shockModel: { kind: 'uniform', maxFraction: 0.1 }, samples, seed },
      'demo: stress test',
    );
    io.err(`demo: saved stress run ${run.id}`);
    const title = stringFlag(flags, 'title') ?? 'EBA 2011: interbank contagion stress test';
    await writeBrief(
      app,
      io,
      {
        runIds: [run.id],
        title,
        marking: stringFlag(flags, 'marking'),
        organisation: stringFlag(flags, 'organisation'),
      },
      out,
      format,
      flags,
    );
    return 0;
  },
};
