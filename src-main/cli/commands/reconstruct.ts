/**
 * `cwb reconstruct NETWORK --objective worst|best|maxent|mindensity` and `cwb disaggregate NETWORK --node ID`: the
 * Reconstruction screen's analyses through the app's router (docs/cli.md). A reconstruction runs as the `reconstruct`
 * job (its schema and limits, progress, Ctrl+C cancels) and is saved as a run; its JSON is the network found
 * (network@1) plus `runId`, {"expectedLoss", "lossRatio"} (out of sample) and `reconstruction`. A split goes through
 * the `disaggregate` job, as on the screen, and is saved as the network's next version (`versionId`) and as a run.
 */
import { z } from 'zod';
import type { NetworkDocument } from '../../../src-shared/formats/network';
import { numberOrNote } from '../../../src-shared/results/notes';
import {
  RECONSTRUCTION_FIELD_NAMES,
  RECONSTRUCTION_OBJECTIVE_NAMES,
  disaggregateParamsSchema,
  reconstructParamsSchema,
  type ReconstructionOutcome,
  type ReconstructParams,
} from '../../../src-shared/results/reconstruction';
import { call } from '../../api/router';
import { runJob } from '../job-run';
import { UsageError, type Command, type CommandIo, type FlagSpec } from '../command';
import { formatAmount } from './common';
import { storedNetworkVersion, VERSION_FLAG } from './stored-network';
import { A_FLAG, MAX_FRACTION_FLAG, shockModelFromFlags } from './stress';
import { optionalFlag, requiredFlag, schemaFlag } from '../schema-flags';

type Flags = Record<string, string | true>;
type FieldName = (typeof RECONSTRUCTION_FIELD_NAMES)[number];

const PARAMS = reconstructParamsSchema.shape;
const SPLIT = disaggregateParamsSchema.shape;

const OBJECTIVE_FLAG = schemaFlag(
  'objective',
  'O',
  z.enum(RECONSTRUCTION_OBJECTIVE_NAMES),
  'worst (largest E[L]), best (smallest), maxent (RAS) or mindensity (fewest links, MIP)',
);
const MEASURE_FLAG = schemaFlag(
  'measure',
  'M',
  z.enum(['expected-loss', 'loss-ratio']),
  'objective: expected loss E[L] or the loss ratio E[L]/E[L0]',
  'expected-loss',
);
const SAMPLES_FLAG = schemaFlag('samples', 'K', PARAMS.samples, 'common random shocks the optimiser uses');
const EVALUATION_FLAG = schemaFlag(
  'evaluation-samples',
  'M',
  PARAMS.evaluationSamples,
  'independent shocks for the out-of-sample evaluation',
);
const SEED_FLAG = schemaFlag('seed', 'S', PARAMS.seed, 'random seed; the same seed gives the same network', 1);
const STARTS_FLAG = schemaFlag(
  'starts',
  'N',
  PARAMS.starts,
  'starts: maximum entropy plus N − 1 random feasible networks',
);
const HOPS_FLAG = schemaFlag('hops', 'H', PARAMS.hops, 'worst case: basin-hopping rounds after the starts');
const ITERATIONS_FLAG = schemaFlag(
  'iterations',
  'I',
  PARAMS.maxIterations,
  'largest number of iterations per solve (default 40 worst, 150 best)',
);
const TIME_LIMIT_FLAG = schemaFlag('time-limit', 'T', PARAMS.timeLimit, 'mindensity: seconds for the MIP (default 20)');
const SHOCKS_FLAG = schemaFlag(
  'shock-model',
  'MODEL',
  z.enum(['uniform', 'beta']),
  'uniform (x = f·c·U) or beta (P(x ≥ w) = defaultProbability)',
  'uniform',
);

const OPTIMISER_FLAGS: FlagSpec[] = [
  SHOCKS_FLAG,
  MAX_FRACTION_FLAG,
  A_FLAG,
  SAMPLES_FLAG,
  EVALUATION_FLAG,
  SEED_FLAG,
  STARTS_FLAG,
  HOPS_FLAG,
  ITERATIONS_FLAG,
  MEASURE_FLAG,
];

/** The `reconstruct` job's parameters from the flags, but for the version and the unknown fields (which need the network). */
function optimiserFromFlags(
  flags: Flags,
  objective: ReconstructParams['objectives'][number],
): Omit<ReconstructParams, 'versionId' | 'unknown'> {
  const shockModel = shockModelFromFlags({ ...flags, 'shock-model': requiredFlag(flags, SHOCKS_FLAG) });
  if (shockModel.kind !== 'uniform' && shockModel.kind !== 'beta')
    throw new Error('reconstruction takes uniform or beta shocks');
  const maxIterations = optionalFlag(flags, ITERATIONS_FLAG);
  const timeLimit = optionalFlag(flags, TIME_LIMIT_FLAG);
  return {
    objectives: [objective],
    measure: requiredFlag(flags, MEASURE_FLAG) === 'loss-ratio' ? 'lossRatio' : 'expectedLoss',
    shockModel:
      shockModel.kind === 'uniform' ? { kind: 'uniform', maxFraction: shockModel.maxFraction ?? 1 } : shockModel,
    samples: requiredFlag(flags, SAMPLES_FLAG),
    evaluationSamples: requiredFlag(flags, EVALUATION_FLAG),
    seed: requiredFlag(flags, SEED_FLAG),
    starts: requiredFlag(flags, STARTS_FLAG),
    hops: requiredFlag(flags, HOPS_FLAG),
    complementarity: !flags['no-complementarity'],
    ...(maxIterations !== undefined ? { maxIterations } : {}),
    ...(timeLimit !== undefined ? { timeLimit } : {}),
  };
}

/** --unknown FIELD,… checked against the field names (before anything runs). */
function unknownFieldsFromFlags(flags: Flags): FieldName[] | undefined {
  if (flags.unknown === undefined) {
    if (flags['unknown-nodes'] !== undefined) throw new UsageError('--unknown-nodes needs --unknown FIELD,…');
    return undefined;
  }
  if (flags.unknown === true) throw new UsageError('--unknown needs a list of fields');
  const unknown = flags.unknown.split(',').map((field) => field.trim());
  for (const field of unknown) {
    if (!(RECONSTRUCTION_FIELD_NAMES as readonly string[]).includes(field))
      throw new UsageError(`--unknown: "${field}" is not one of ${RECONSTRUCTION_FIELD_NAMES.join(', ')}`);
  }
  return unknown as FieldName[];
}

/** The job's `unknown`: per node (every node, or only --unknown-nodes ID,…), the fields the optimiser treats as unknown. */
function unknownByNode(flags: Flags, fields: FieldName[] | undefined, ids: string[]): Record<string, FieldName[]> {
  if (!fields) return {};
  const nodes =
    typeof flags['unknown-nodes'] === 'string' ? flags['unknown-nodes'].split(',').map((id) => id.trim()) : ids;
  for (const id of nodes)
    if (!ids.includes(id)) throw new UsageError(`--unknown-nodes: no node "${id}" in the network`);
  return Object.fromEntries(nodes.map((id) => [id, fields]));
}

/** The JSON of `cwb reconstruct`: the network found, its out-of-sample figures on top, and how it was found. */
function reconstructionJson(
  runId: number,
  outcome: ReconstructionOutcome,
  params: ReconstructParams,
): Record<string, unknown> {
  const { evaluation } = outcome;
  return {
    runId,
    ...outcome.document,
    expectedLoss: evaluation.expectedLoss,
    ...(evaluation.lossRatio !== undefined
      ? { lossRatio: evaluation.lossRatio }
      : { lossRatioNote: evaluation.lossRatioNote }),
    reconstruction: {
      objective: outcome.objective,
      measure: outcome.measure,
      shockModel: params.shockModel,
      samples: params.samples,
      seed: params.seed,
      inSample: outcome.inSample,
      evaluation: { ...evaluation, losses: undefined, maxentLosses: undefined },
      residual: outcome.residual,
      ...(outcome.frankWolfeGap !== undefined
        ? { frankWolfeGap: outcome.frankWolfeGap, relativeGap: outcome.relativeGap }
        : { gapNote: outcome.gapNote }),
      links: outcome.links,
      density: outcome.density,
      starts: outcome.starts,
    },
  };
}

function printReconstruction(
  io: CommandIo,
  outcome: ReconstructionOutcome,
  params: ReconstructParams,
  unit: string,
  relativeResidual: string,
): void {
  const { evaluation, inSample } = outcome;
  io.out(`${outcome.document.name}: ${outcome.links} links (density ${outcome.density.toFixed(3)})`);
  io.out(
    `  in sample (${params.samples} shocks): E[L] = ${formatAmount(inSample.expectedLoss)} ${unit}, E[L]/E[L0] = ${numberOrNote(inSample.lossRatio, inSample.lossRatioNote, (v) => v.toFixed(5))}`,
  );
  io.out(
    `  out of sample (${evaluation.samples} fresh shocks): E[L] = ${formatAmount(evaluation.expectedLoss)} ± ${formatAmount(evaluation.expectedLossStandardError)} ${unit}`,
  );
  io.out(
    `  minus maximum entropy on the same shocks: ${formatAmount(evaluation.differenceToMaxent)} ± ${formatAmount(evaluation.differenceStandardError)} ${unit}`,
  );
  io.out(
    `  largest constraint residual ${relativeResidual}, complementarity ${outcome.residual.complementarity.toExponential(2)}`,
  );
  io.out(
    `  Frank–Wolfe gap ${numberOrNote(outcome.frankWolfeGap, outcome.gapNote, (v) => `${v.toExponential(2)} (${outcome.relativeGap!.toExponential(2)} relative to the objective)`)}`,
  );
}

export const reconstructCommand: Command = {
  name: 'reconstruct',
  summary:
    'Network reconstruction from node totals, saved as a run: worst or best case of expected loss, maximum entropy, minimum density',
  usage:
    'cwb reconstruct NETWORK-FILE|--version ID --objective worst|best|maxent|mindensity [--shock-model uniform|beta] [--samples K] [--seed S] [--unknown FIELDS] [--json]',
  positionals: { min: 0, max: 1 },
  flags: [
    VERSION_FLAG,
    OBJECTIVE_FLAG,
    ...OPTIMISER_FLAGS,
    {
      name: 'unknown',
      value: 'FIELDS',
      description: `node fields to treat as unknown (comma list of ${RECONSTRUCTION_FIELD_NAMES.join(', ')})`,
    },
    { name: 'unknown-nodes', value: 'IDS', description: 'only for these nodes (comma list; default every node)' },
    {
      name: 'no-complementarity',
      description: 'allow liabilities in both directions of a pair (default: net liabilities only)',
    },
    TIME_LIMIT_FLAG,
  ],
  async run({ positionals, flags }, io, context) {
    const objective = requiredFlag(flags, OBJECTIVE_FLAG);
    const options = optimiserFromFlags(flags, objective);
    const unknownFields = unknownFieldsFromFlags(flags);
    const app = context();
    const versionId = await storedNetworkVersion(app, io, positionals[0], flags, 'reconstruct');
    const { document } = await call(app.router, 'networks:get', { versionId });
    const params: ReconstructParams = {
      versionId,
      ...options,
      unknown: unknownByNode(
        flags,
        unknownFields,
        document.nodes.map((node) => node.id),
      ),
    };
    io.err(
      `reconstruct: ${objective}, ${document.nodes.length} nodes, ${params.samples} ${params.shockModel.kind} shocks, seed ${params.seed}`,
    );
    const run = await runJob(app, io, 'reconstruct', params, 'reconstruct');
    const { results } = run;
    const outcome = results.outcomes[0]!;
    const relativeResidual = numberOrNote(
      outcome.residual.relative,
      outcome.residual.relativeNote,
      (v) => `${v.toExponential(2)} (relative)`,
    );
    const last = outcome.trace.at(-1);
    if (last) {
      const where =
        last.start < params.starts
          ? `start ${last.start + 1}`
          : `basin-hopping round ${last.start - params.starts + 1}`;
      io.err(
        `reconstruct: last iteration (${where}, ${last.stage}, iteration ${last.iteration}): objective ${last.objective.toPrecision(10)}, gap ${last.gap.toExponential(2)}, violation ${last.violation.toExponential(2)}`,
      );
    }
    io.err(
      `reconstruct: saved as run ${run.id} (${((run.durationMs ?? 0) / 1000).toFixed(2)} s); largest constraint residual ${relativeResidual}`,
    );
    if (flags.json) io.out(JSON.stringify(reconstructionJson(run.id, outcome, params)));
    else printReconstruction(io, outcome, params, results.unit, relativeResidual);
    return 0;
  },
};

const SPLIT_OBJECTIVE_FLAG = schemaFlag(
  'objective',
  'O',
  SPLIT.objective,
  'maxent (proportional links), or the worst or best case of expected loss with b and c free (uniform shocks, one start, no basin hopping, 1,000 fresh shocks to evaluate: as on the Reconstruction screen)',
);
/** The job takes 2 … 50 parts; the flag counts them. */
const PART_COUNT = z.toJSONSchema(SPLIT.parts, { io: 'input' }) as { minItems: number; maxItems: number };
const PARTS_FLAG = schemaFlag(
  'parts',
  'K',
  z.number().int().min(PART_COUNT.minItems).max(PART_COUNT.maxItems),
  'number of new nodes',
  2,
);
const SPLIT_SAMPLES_FLAG = schemaFlag('samples', 'K', SPLIT.samples, 'worst and best: common random shocks');
const SPLIT_SEED_FLAG = schemaFlag('seed', 'S', SPLIT.seed, 'random seed');

export const disaggregateCommand: Command = {
  name: 'disaggregate',
  summary:
    "Split an aggregated node into k nodes keeping its totals, b and c free, 0 < w < c, saved as the network's next version and as a run",
  usage:
    'cwb disaggregate NETWORK-FILE|--version ID --node ID --parts K [--names A,B,…] [--shares 2,1,…] [--objective maxent|worst|best] [--samples K] [--seed S] [--json]',
  positionals: { min: 0, max: 1 },
  flags: [
    VERSION_FLAG,
    { name: 'node', value: 'ID', description: 'the node to split' },
    PARTS_FLAG,
    { name: 'names', value: 'NAMES', description: 'comma list of the new nodes’ names (ids are NODE-1, NODE-2, …)' },
    { name: 'shares', value: 'SHARES', description: 'comma list of relative sizes p̄ and α (default equal)' },
    SPLIT_OBJECTIVE_FLAG,
    SPLIT_SAMPLES_FLAG,
    SPLIT_SEED_FLAG,
  ],
  async run({ positionals, flags }, io, context) {
    if (typeof flags.node !== 'string') throw new UsageError('--node ID is required');
    const k = requiredFlag(flags, PARTS_FLAG);
    const names = typeof flags.names === 'string' ? flags.names.split(',').map((name) => name.trim()) : [];
    const shares = typeof flags.shares === 'string' ? flags.shares.split(',').map(Number) : [];
    if (names.length > 0 && names.length !== k)
      throw new UsageError(`--names lists ${names.length} names for ${k} parts`);
    if (shares.length > 0 && (shares.length !== k || shares.some((s) => !(s > 0))))
      throw new UsageError(`--shares must list ${k} positive numbers`);
    const objective = requiredFlag(flags, SPLIT_OBJECTIVE_FLAG);
    const samples = requiredFlag(flags, SPLIT_SAMPLES_FLAG);
    const seed = requiredFlag(flags, SPLIT_SEED_FLAG);
    const node = flags.node;
    const app = context();
    const versionId = await storedNetworkVersion(app, io, positionals[0], flags, 'disaggregate');
    const parts = Array.from({ length: k }, (_, m) => ({
      id: `${node}-${m + 1}`,
      ...(names[m] ? { name: names[m] } : {}),
      ...(shares[m] ? { share: shares[m] } : {}),
    }));
    const run = await runJob(
      app,
      io,
      'disaggregate',
      { versionId, nodeId: node, parts, objective, samples, seed },
      'disaggregate',
    );
    const split = run.results;
    for (const line of split.explanation) io.err(line);
    const { network, document } = await call(app.router, 'networks:get', { versionId: split.versionId });
    io.err(
      `disaggregate: saved as network version ${split.versionId} (version ${split.version} of "${network.name}") and as run ${run.id}`,
    );
    io.out(
      flags.json
        ? JSON.stringify(disaggregationJson(split.versionId, run.id, document, split.explanation))
        : split.explanation.join('\n'),
    );
    return 0;
  },
};

/** The JSON of `cwb disaggregate`: the new version's id (and the run's, where one is saved), its network@1 document and the explanation. */
function disaggregationJson(
  versionId: number,
  runId: number | undefined,
  document: NetworkDocument,
  explanation: string[],
): Record<string, unknown> {
  return { versionId, ...(runId === undefined ? {} : { runId }), ...document, explanation };
}
