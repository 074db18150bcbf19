/**
 * `cwb reconstruct NETWORK --objective worst|best|maxent|mindensity` and `cwb disaggregate NETWORK --node ID`: the
 * Reconstruction screen's analyses through the app's router (docs/cli.md). A reconstruction runs as the `reconstruct`
 * job (its schema and limits, progress, Ctrl+C cancels) and is saved as a run; its JSON is the network found
 * (network@1) plus `runId`, {"expectedLoss", "lossRatio"} (out of sample) and `reconstruction`. A split goes through
 * `reconstruction:disaggregate`, as on the screen, and is saved as the network's next version (`versionId`).
 */
import { z } from 'zod';
import { contract } from '../../../src-shared/contract';
import type { NetworkDocument } from '../../../src-shared/formats/network';
import { numberOrNote } from '../../../src-shared/results/notes';
import {
  RECONSTRUCTION_FIELD_NAMES,
  RECONSTRUCTION_OBJECTIVE_NAMES,
  reconstructParamsSchema,
  type ReconstructionOutcome,
  type ReconstructParams,
} from '../../../src-shared/results/reconstruction';
import { call } from '../../api/router';
import { runJob } from '../job-run';
import { UsageError, type Command, type CommandIo, type FlagSpec } from '../command';
import { formatAmount, numberFlag, wholeFlag } from './common';
import { storedNetworkVersion, VERSION_FLAG } from './stored-network';
import { shockModelFromFlags } from './stress';

type Flags = Record<string, string | true>;
type FieldName = (typeof RECONSTRUCTION_FIELD_NAMES)[number];

/** The bounds of a number field of a schema (through `.default()` and `.optional()`), so that a flag's limits are the job's. */
function schemaLimits(field: z.ZodType): { min: number; max: number } {
  let inner: z.ZodType = field;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional) inner = inner.unwrap() as z.ZodType;
  if (!(inner instanceof z.ZodNumber) || inner.minValue === null || inner.maxValue === null) throw new Error('a flag without bounds in its schema');
  return { min: inner.minValue, max: inner.maxValue };
}

/** A whole-number flag within the bounds the schema gives the field. */
function schemaWholeFlag(flags: Flags, name: string, field: z.ZodType, fallback: number): number {
  const { min, max } = schemaLimits(field);
  return wholeFlag(flags, name, fallback, min, max);
}

const PARAMS = reconstructParamsSchema.shape;
const limitsText = (field: z.ZodType) => {
  const { min, max } = schemaLimits(field);
  return `${min.toLocaleString('en-US')} … ${max.toLocaleString('en-US')}`;
};

const SHOCK_FLAGS: FlagSpec[] = [
  { name: 'shock-model', value: 'MODEL', description: 'uniform (x = f·c·U, default) or beta (P(x ≥ w) = defaultProbability)' },
  { name: 'max-fraction', value: 'F', description: 'uniform shocks: largest loss as a fraction of outside assets (default 1)' },
  { name: 'a', value: 'A', description: 'beta: first shape parameter a (default 1)' },
];

const OPTIMISER_FLAGS: FlagSpec[] = [
  ...SHOCK_FLAGS,
  { name: 'samples', value: 'K', description: `common random shocks the optimiser uses, ${limitsText(PARAMS.samples)} (default 1000)` },
  { name: 'evaluation-samples', value: 'M', description: `independent shocks for the out-of-sample evaluation, ${limitsText(PARAMS.evaluationSamples)} (default 10000)` },
  { name: 'seed', value: 'S', description: 'random seed, 0 … 4294967295 (default 1); the same seed gives the same network' },
  { name: 'starts', value: 'N', description: `starts: maximum entropy plus N − 1 random feasible networks, ${limitsText(PARAMS.starts)} (default 3)` },
  { name: 'hops', value: 'H', description: `worst case: basin-hopping rounds after the starts, ${limitsText(PARAMS.hops)} (default 6)` },
  { name: 'iterations', value: 'I', description: `largest number of iterations per solve, ${limitsText(PARAMS.maxIterations)} (default 40 worst, 150 best)` },
  { name: 'measure', value: 'M', description: 'objective: expected-loss (default) or loss-ratio (E[L]/E[L0])' },
];

/** The `reconstruct` job's parameters from the flags, but for the version and the unknown fields (which need the network). */
function optimiserFromFlags(flags: Flags, objective: ReconstructParams['objectives'][number]): Omit<ReconstructParams, 'versionId' | 'unknown'> {
  const measure = flags.measure ?? 'expected-loss';
  if (measure !== 'expected-loss' && measure !== 'loss-ratio') throw new UsageError(`--measure must be expected-loss or loss-ratio, got "${String(measure)}"`);
  const shockModel = shockModelFromFlags({ 'shock-model': 'uniform', ...flags });
  if (shockModel.kind !== 'uniform' && shockModel.kind !== 'beta') throw new UsageError('--shock-model must be uniform or beta for reconstruction');
  return {
    objectives: [objective],
    measure: measure === 'loss-ratio' ? 'lossRatio' : 'expectedLoss',
    shockModel: shockModel.kind === 'uniform' ? { kind: 'uniform', maxFraction: shockModel.maxFraction ?? 1 } : shockModel,
    samples: schemaWholeFlag(flags, 'samples', PARAMS.samples, 1000),
    evaluationSamples: schemaWholeFlag(flags, 'evaluation-samples', PARAMS.evaluationSamples, 10_000),
    seed: schemaWholeFlag(flags, 'seed', PARAMS.seed, 1),
    starts: schemaWholeFlag(flags, 'starts', PARAMS.starts, 3),
    hops: schemaWholeFlag(flags, 'hops', PARAMS.hops, 6),
    complementarity: !flags['no-complementarity'],
    ...(flags.iterations !== undefined ? { maxIterations: schemaWholeFlag(flags, 'iterations', PARAMS.maxIterations, 40) } : {}),
    ...(flags['time-limit'] !== undefined ? { timeLimit: numberFlag(flags, 'time-limit', 20, schemaLimits(PARAMS.timeLimit).min, schemaLimits(PARAMS.timeLimit).max) } : {}),
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
    if (!(RECONSTRUCTION_FIELD_NAMES as readonly string[]).includes(field)) throw new UsageError(`--unknown: "${field}" is not one of ${RECONSTRUCTION_FIELD_NAMES.join(', ')}`);
  }
  return unknown as FieldName[];
}

/** The job's `unknown`: per node (every node, or only --unknown-nodes ID,…), the fields the optimiser treats as unknown. */
function unknownByNode(flags: Flags, fields: FieldName[] | undefined, ids: string[]): Record<string, FieldName[]> {
  if (!fields) return {};
  const nodes = typeof flags['unknown-nodes'] === 'string' ? flags['unknown-nodes'].split(',').map((id) => id.trim()) : ids;
  for (const id of nodes) if (!ids.includes(id)) throw new UsageError(`--unknown-nodes: no node "${id}" in the network`);
  return Object.fromEntries(nodes.map((id) => [id, fields]));
}

/** The JSON of `cwb reconstruct`: the network found, its out-of-sample figures on top, and how it was found. */
function reconstructionJson(runId: number, outcome: ReconstructionOutcome, params: ReconstructParams): Record<string, unknown> {
  const { evaluation } = outcome;
  return {
    runId,
    ...outcome.document,
    expectedLoss: evaluation.expectedLoss,
    ...(evaluation.lossRatio !== undefined ? { lossRatio: evaluation.lossRatio } : { lossRatioNote: evaluation.lossRatioNote }),
    reconstruction: {
      objective: outcome.objective,
      measure: outcome.measure,
      shockModel: params.shockModel,
      samples: params.samples,
      seed: params.seed,
      inSample: outcome.inSample,
      evaluation: { ...evaluation, losses: undefined, maxentLosses: undefined },
      residual: outcome.residual,
      ...(outcome.frankWolfeGap !== undefined ? { frankWolfeGap: outcome.frankWolfeGap, relativeGap: outcome.relativeGap } : { gapNote: outcome.gapNote }),
      links: outcome.links,
      density: outcome.density,
      starts: outcome.starts,
    },
  };
}

function printReconstruction(io: CommandIo, outcome: ReconstructionOutcome, params: ReconstructParams, unit: string, relativeResidual: string): void {
  const { evaluation, inSample } = outcome;
  io.out(`${outcome.document.name}: ${outcome.links} links (density ${outcome.density.toFixed(3)})`);
  io.out(`  in sample (${params.samples} shocks): E[L] = ${formatAmount(inSample.expectedLoss)} ${unit}, E[L]/E[L0] = ${numberOrNote(inSample.lossRatio, inSample.lossRatioNote, (v) => v.toFixed(5))}`);
  io.out(`  out of sample (${evaluation.samples} fresh shocks): E[L] = ${formatAmount(evaluation.expectedLoss)} ± ${formatAmount(evaluation.expectedLossStandardError)} ${unit}`);
  io.out(`  minus maximum entropy on the same shocks: ${formatAmount(evaluation.differenceToMaxent)} ± ${formatAmount(evaluation.differenceStandardError)} ${unit}`);
  io.out(`  largest constraint residual ${relativeResidual}, complementarity ${outcome.residual.complementarity.toExponential(2)}`);
  io.out(`  Frank–Wolfe gap ${numberOrNote(outcome.frankWolfeGap, outcome.gapNote, (v) => `${v.toExponential(2)} (${outcome.relativeGap!.toExponential(2)} relative to the objective)`)}`);
}

export const reconstructCommand: Command = {
  name: 'reconstruct',
  summary: 'Network reconstruction from node totals, saved as a run: worst or best case of expected loss, maximum entropy, minimum density',
  usage: 'cwb reconstruct NETWORK-FILE|--version ID --objective worst|best|maxent|mindensity [--shock-model uniform|beta] [--samples K] [--seed S] [--unknown FIELDS] [--json]',
  positionals: { min: 0, max: 1 },
  flags: [
    VERSION_FLAG,
    { name: 'objective', value: 'O', description: 'worst (largest E[L]), best (smallest), maxent (RAS) or mindensity (fewest links, MIP)' },
    ...OPTIMISER_FLAGS,
    { name: 'unknown', value: 'FIELDS', description: `node fields to treat as unknown (comma list of ${RECONSTRUCTION_FIELD_NAMES.join(', ')})` },
    { name: 'unknown-nodes', value: 'IDS', description: 'only for these nodes (comma list; default every node)' },
    { name: 'no-complementarity', description: 'allow liabilities in both directions of a pair (default: net liabilities only)' },
    { name: 'time-limit', value: 'T', description: `mindensity: seconds for the MIP, ${limitsText(PARAMS.timeLimit)} (default 20)` },
  ],
  async run({ positionals, flags }, io, context) {
    const objective = flags.objective;
    if (typeof objective !== 'string' || !(RECONSTRUCTION_OBJECTIVE_NAMES as readonly string[]).includes(objective)) {
      throw new UsageError(`--objective must be one of ${RECONSTRUCTION_OBJECTIVE_NAMES.join('|')}`);
    }
    const options = optimiserFromFlags(flags, objective as ReconstructParams['objectives'][number]);
    const unknownFields = unknownFieldsFromFlags(flags);
    const app = context();
    const versionId = await storedNetworkVersion(app, io, positionals[0], flags, 'reconstruct');
    const { document } = await call(app.router, 'networks:get', { versionId });
    const params: ReconstructParams = { versionId, ...options, unknown: unknownByNode(flags, unknownFields, document.nodes.map((node) => node.id)) };
    io.err(`reconstruct: ${objective}, ${document.nodes.length} nodes, ${params.samples} ${params.shockModel.kind} shocks, seed ${params.seed}`);
    const run = await runJob(app, io, 'reconstruct', params, 'reconstruct');
    const { results } = run;
    const outcome = results.outcomes[0]!;
    const relativeResidual = numberOrNote(outcome.residual.relative, outcome.residual.relativeNote, (v) => `${v.toExponential(2)} (relative)`);
    const last = outcome.trace.at(-1);
    if (last) {
      const where = last.start < params.starts ? `start ${last.start + 1}` : `basin-hopping round ${last.start - params.starts + 1}`;
      io.err(`reconstruct: last iteration (${where}, ${last.stage}, iteration ${last.iteration}): objective ${last.objective.toPrecision(10)}, gap ${last.gap.toExponential(2)}, violation ${last.violation.toExponential(2)}`);
    }
    io.err(`reconstruct: saved as run ${run.id} (${((run.durationMs ?? 0) / 1000).toFixed(2)} s); largest constraint residual ${relativeResidual}`);
    if (flags.json) io.out(JSON.stringify(reconstructionJson(run.id, outcome, params)));
    else printReconstruction(io, outcome, params, results.unit, relativeResidual);
    return 0;
  },
};

const DISAGGREGATE = (contract['reconstruction:disaggregate'].input as z.ZodObject<{ samples: z.ZodType; seed: z.ZodType }>).shape;

export const disaggregateCommand: Command = {
  name: 'disaggregate',
  summary: 'Split an aggregated node into k nodes keeping its totals, b and c free, 0 < w < c, saved as the network\'s next version',
  usage: 'cwb disaggregate NETWORK-FILE|--version ID --node ID --parts K [--names A,B,…] [--shares 2,1,…] [--objective maxent|worst|best] [--samples K] [--seed S] [--json]',
  positionals: { min: 0, max: 1 },
  flags: [
    VERSION_FLAG,
    { name: 'node', value: 'ID', description: 'the node to split' },
    { name: 'parts', value: 'K', description: 'number of new nodes, 2 … 50 (default 2)' },
    { name: 'names', value: 'NAMES', description: 'comma list of the new nodes’ names (ids are NODE-1, NODE-2, …)' },
    { name: 'shares', value: 'SHARES', description: 'comma list of relative sizes p̄ and α (default equal)' },
    {
      name: 'objective',
      value: 'O',
      description: 'maxent (proportional links, default), or the worst or best case of expected loss with b and c free (uniform shocks, one start, no basin hopping, 1,000 fresh shocks to evaluate: as on the Reconstruction screen)',
    },
    { name: 'samples', value: 'K', description: `worst and best: common random shocks, ${limitsText(DISAGGREGATE.samples)} (default 500)` },
    { name: 'seed', value: 'S', description: 'random seed, 0 … 4294967295 (default 1)' },
  ],
  async run({ positionals, flags }, io, context) {
    if (typeof flags.node !== 'string') throw new UsageError('--node ID is required');
    const k = wholeFlag(flags, 'parts', 2, 2, 50);
    const names = typeof flags.names === 'string' ? flags.names.split(',').map((name) => name.trim()) : [];
    const shares = typeof flags.shares === 'string' ? flags.shares.split(',').map(Number) : [];
    if (names.length > 0 && names.length !== k) throw new UsageError(`--names lists ${names.length} names for ${k} parts`);
    if (shares.length > 0 && (shares.length !== k || shares.some((s) => !(s > 0)))) throw new UsageError(`--shares must list ${k} positive numbers`);
    const objective = flags.objective ?? 'maxent';
    if (objective !== 'maxent' && objective !== 'worst' && objective !== 'best') throw new UsageError('--objective must be maxent, worst or best');
    const samples = schemaWholeFlag(flags, 'samples', DISAGGREGATE.samples, 500);
    const seed = schemaWholeFlag(flags, 'seed', DISAGGREGATE.seed, 1);
    const node = flags.node;
    const app = context();
    const versionId = await storedNetworkVersion(app, io, positionals[0], flags, 'disaggregate');
    const saved = await call(app.router, 'reconstruction:disaggregate', {
      versionId,
      nodeId: node,
      parts: Array.from({ length: k }, (_, m) => ({ id: `${node}-${m + 1}`, ...(names[m] ? { name: names[m] } : {}), ...(shares[m] ? { share: shares[m] } : {}) })),
      objective,
      samples,
      seed,
    });
    for (const line of saved.explanation) io.err(line);
    const { network, document } = await call(app.router, 'networks:get', { versionId: saved.versionId });
    // where the channel also records the split as a run (for briefs), its id is reported with the version's
    const { runId } = saved as { runId?: number };
    io.err(`disaggregate: saved as network version ${saved.versionId} (version ${saved.version} of "${network.name}")${runId === undefined ? '' : ` and as run ${runId}`}`);
    io.out(flags.json ? JSON.stringify(disaggregationJson(saved.versionId, runId, document, saved.explanation)) : saved.explanation.join('\n'));
    return 0;
  },
};

/** The JSON of `cwb disaggregate`: the new version's id (and the run's, where one is saved), its network@1 document and the explanation. */
function disaggregationJson(versionId: number, runId: number | undefined, document: NetworkDocument, explanation: string[]): Record<string, unknown> {
  return { versionId, ...(runId === undefined ? {} : { runId }), ...document, explanation };
}
