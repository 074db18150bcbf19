/**
 * `cwb reconstruct NETWORK.json --objective worst|best|maxent|mindensity` (docs/formats.md): a complete network@1
 * document plus {"expectedLoss", "lossRatio"} (out of sample), and `cwb disaggregate NETWORK.json --node ID`.
 */
import { basename } from 'node:path';
import { disaggregate } from '../../engines/disaggregation';
import { EngineInputError } from '../../engines/errors';
import {
  documentOfResult,
  KNOWN_FIELDS,
  problemFromDocument,
  reconstruct,
  RECONSTRUCTION_OBJECTIVES,
  type KnownField,
  type ReconstructionObjective,
  type ReconstructionOptions,
} from '../../engines/reconstruction';
import { parseNetworkJson } from '../../io/network-json';
import { numberOrNote } from '../../../src-shared/results/notes';
import { loadHighs } from '../../io/lp-solver';
import { UsageError, type Command, type CommandIo, type FlagSpec } from '../command';
import { formatAmount, numberFlag, readTextFile, wholeFlag } from './common';
import { shockModelFromFlags } from './stress';

type Flags = Record<string, string | true>;

const OPTIMISER_FLAGS: FlagSpec[] = [
  { name: 'shock-model', value: 'MODEL', description: 'uniform (x = f·c·U, default) or beta (P(x ≥ w) = defaultProbability)' },
  { name: 'max-fraction', value: 'F', description: 'uniform shocks: largest loss as a fraction of outside assets (default 1)' },
  { name: 'a', value: 'A', description: 'beta: first shape parameter a (default 1)' },
  { name: 'samples', value: 'K', description: 'common random shocks the optimiser uses (default 1000)' },
  { name: 'evaluation-samples', value: 'M', description: 'independent shocks for the out-of-sample evaluation (default 10000)' },
  { name: 'seed', value: 'S', description: 'random seed, 0 … 4294967295 (default 1); the same seed gives the same network' },
  { name: 'starts', value: 'N', description: 'starts: maximum entropy plus N − 1 random feasible networks (default 3)' },
  { name: 'hops', value: 'H', description: 'worst case: basin-hopping rounds after the starts (default 6)' },
  { name: 'iterations', value: 'I', description: 'largest number of iterations per solve (default 40 worst, 150 best)' },
  { name: 'measure', value: 'M', description: 'objective: expected-loss (default) or loss-ratio (E[L]/E[L0])' },
];

/** The optimiser options shared by `reconstruct` and `disaggregate`. */
function optimiserFromFlags(flags: Flags, io: CommandIo): Omit<ReconstructionOptions, 'objective'> {
  const measure = flags.measure ?? 'expected-loss';
  if (measure !== 'expected-loss' && measure !== 'loss-ratio') throw new UsageError(`--measure must be expected-loss or loss-ratio, got "${String(measure)}"`);
  const shockModel = shockModelFromFlags({ 'shock-model': 'uniform', ...flags });
  if (shockModel.kind === 'copula') throw new UsageError('--shock-model must be uniform or beta for reconstruction');
  const options: Omit<ReconstructionOptions, 'objective'> = {
    measure: measure === 'loss-ratio' ? 'lossRatio' : 'expectedLoss',
    shockModel,
    samples: wholeFlag(flags, 'samples', 1000, 1, 1_000_000),
    evaluationSamples: wholeFlag(flags, 'evaluation-samples', 10_000, 1, 10_000_000),
    seed: wholeFlag(flags, 'seed', 1, 0, 2 ** 32 - 1),
    starts: wholeFlag(flags, 'starts', 3, 1, 1000),
    hops: wholeFlag(flags, 'hops', 6, 0, 1000),
    onIteration: (report) => {
      io.err(
        `  start ${report.start + 1} ${report.stage} iteration ${report.iteration}: objective ${report.objective.toPrecision(10)}, gap ${report.gap.toExponential(2)}, violation ${report.violation.toExponential(2)}`,
      );
    },
  };
  if (flags.iterations !== undefined) options.maxIterations = wholeFlag(flags, 'iterations', 40, 1, 100_000);
  return options;
}

/** --unknown FIELD,… (for every node, or only --unknown-nodes ID,…): the fields the optimiser treats as unknown. */
function knownFromFlags(flags: Flags, ids: string[]): Record<string, KnownField[]> | undefined {
  if (flags.unknown === undefined) {
    if (flags['unknown-nodes'] !== undefined) throw new UsageError('--unknown-nodes needs --unknown FIELD,…');
    return undefined;
  }
  if (flags.unknown === true) throw new UsageError('--unknown needs a list of fields');
  const unknown = flags.unknown.split(',').map((field) => field.trim());
  for (const field of unknown) {
    if (!(KNOWN_FIELDS as readonly string[]).includes(field)) throw new UsageError(`--unknown: "${field}" is not one of ${KNOWN_FIELDS.join(', ')}`);
  }
  const nodes = typeof flags['unknown-nodes'] === 'string' ? flags['unknown-nodes'].split(',').map((id) => id.trim()) : ids;
  for (const id of nodes) if (!ids.includes(id)) throw new UsageError(`--unknown-nodes: no node "${id}" in the network`);
  return Object.fromEntries(ids.map((id) => [id, KNOWN_FIELDS.filter((field) => !(nodes.includes(id) && unknown.includes(field)))]));
}

function engineErrors<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof EngineInputError) throw new UsageError(error.message);
    throw error;
  }
}

export const reconstructCommand: Command = {
  name: 'reconstruct',
  summary: 'Network reconstruction from node totals: worst or best case of expected loss, maximum entropy, minimum density',
  usage: 'cwb reconstruct NETWORK.json --objective worst|best|maxent|mindensity [--shock-model uniform|beta] [--samples K] [--seed S] [--unknown FIELDS] [--json]',
  positionals: 1,
  flags: [
    { name: 'objective', value: 'O', description: 'worst (largest E[L]), best (smallest), maxent (RAS) or mindensity (fewest links, MIP)' },
    ...OPTIMISER_FLAGS,
    { name: 'unknown', value: 'FIELDS', description: `node fields to treat as unknown (comma list of ${KNOWN_FIELDS.join(', ')})` },
    { name: 'unknown-nodes', value: 'IDS', description: 'only for these nodes (comma list; default every node)' },
    { name: 'no-complementarity', description: 'allow liabilities in both directions of a pair (default: net liabilities only)' },
    { name: 'time-limit', value: 'T', description: 'mindensity: seconds for the MIP (default 20)' },
  ],
  async run({ positionals, flags }, io) {
    const objective = flags.objective;
    if (typeof objective !== 'string' || !(RECONSTRUCTION_OBJECTIVES as readonly string[]).includes(objective)) {
      throw new UsageError(`--objective must be one of ${RECONSTRUCTION_OBJECTIVES.join('|')}`);
    }
    const path = positionals[0]!;
    const document = parseNetworkJson(readTextFile(path), basename(path));
    const options: ReconstructionOptions = {
      ...optimiserFromFlags(flags, io),
      objective: objective as ReconstructionObjective,
      complementarity: !flags['no-complementarity'],
      timeLimit: numberFlag(flags, 'time-limit', 20, 0.1, 86_400),
      highs: await loadHighs(),
    };
    const problem = engineErrors(() => problemFromDocument(document, knownFromFlags(flags, document.nodes.map((node) => node.id))));
    io.err(`reconstruct: ${objective}, ${problem.nBanks} nodes, ${options.samples} ${options.shockModel.kind} shocks, seed ${options.seed}`);
    const started = performance.now();
    const result = engineErrors(() => reconstruct(problem, options));
    const relativeResidual = numberOrNote(result.residual.relative, result.residual.relativeNote, (v) => `${v.toExponential(2)} (relative)`);
    io.err(`done in ${((performance.now() - started) / 1000).toFixed(2)} s; largest constraint residual ${relativeResidual}`);
    const { evaluation } = result;
    const output = documentOfResult(document, problem, result.matrix, `${document.name} (${objective} reconstruction, seed ${options.seed})`);
    if (flags.json) {
      io.out(
        JSON.stringify({
          ...output,
          expectedLoss: evaluation.expectedLoss,
          ...(evaluation.lossRatio !== undefined ? { lossRatio: evaluation.lossRatio } : { lossRatioNote: evaluation.lossRatioNote }),
          reconstruction: {
            objective,
            measure: result.measure,
            shockModel: options.shockModel,
            samples: result.samples,
            seed: result.seed,
            inSample: result.inSample,
            evaluation: { ...evaluation, losses: undefined, maxentLosses: undefined },
            residual: result.residual,
            ...(result.frankWolfeGap !== undefined ? { frankWolfeGap: result.frankWolfeGap, relativeGap: result.relativeGap } : { gapNote: result.gapNote }),
            links: result.links,
            density: result.density,
            starts: result.starts,
          },
        }),
      );
      return 0;
    }
    const unit = [document.currency, document.unit].filter(Boolean).join(' ') || 'units';
    io.out(`${output.name}: ${result.links} links (density ${result.density.toFixed(3)})`);
    io.out(`  in sample (${result.samples} shocks): E[L] = ${formatAmount(result.inSample.expectedLoss)} ${unit}, E[L]/E[L0] = ${numberOrNote(result.inSample.lossRatio, result.inSample.lossRatioNote, (v) => v.toFixed(5))}`);
    io.out(`  out of sample (${evaluation.samples} fresh shocks): E[L] = ${formatAmount(evaluation.expectedLoss)} ± ${formatAmount(evaluation.expectedLossStandardError)} ${unit}`);
    io.out(`  minus maximum entropy on the same shocks: ${formatAmount(evaluation.differenceToMaxent)} ± ${formatAmount(evaluation.differenceStandardError)} ${unit}`);
    io.out(`  largest constraint residual ${relativeResidual}, complementarity ${result.residual.complementarity.toExponential(2)}`);
    io.out(`  Frank–Wolfe gap ${numberOrNote(result.frankWolfeGap, result.gapNote, (v) => `${v.toExponential(2)} (${result.relativeGap!.toExponential(2)} relative to the objective)`)}`);
    return 0;
  },
};

export const disaggregateCommand: Command = {
  name: 'disaggregate',
  summary: 'Split an aggregated node into k nodes keeping its totals, b and c free, 0 < w < c (network@1 JSON out)',
  usage: 'cwb disaggregate NETWORK.json --node ID --parts K [--names A,B,…] [--shares 2,1,…] [--objective maxent|worst|best] [--json]',
  positionals: 1,
  flags: [
    { name: 'node', value: 'ID', description: 'the node to split' },
    { name: 'parts', value: 'K', description: 'number of new nodes, 2 … 50 (default 2)' },
    { name: 'names', value: 'NAMES', description: 'comma list of the new nodes’ names (ids are NODE-1, NODE-2, …)' },
    { name: 'shares', value: 'SHARES', description: 'comma list of relative sizes p̄ and α (default equal)' },
    { name: 'objective', value: 'O', description: 'maxent (proportional links, default), or the worst or best case of expected loss with b and c free' },
    ...OPTIMISER_FLAGS,
  ],
  async run({ positionals, flags }, io) {
    const path = positionals[0]!;
    const document = parseNetworkJson(readTextFile(path), basename(path));
    if (typeof flags.node !== 'string') throw new UsageError('--node ID is required');
    const k = wholeFlag(flags, 'parts', 2, 2, 50);
    const names = typeof flags.names === 'string' ? flags.names.split(',').map((name) => name.trim()) : [];
    const shares = typeof flags.shares === 'string' ? flags.shares.split(',').map(Number) : [];
    if (names.length > 0 && names.length !== k) throw new UsageError(`--names lists ${names.length} names for ${k} parts`);
    if (shares.length > 0 && (shares.length !== k || shares.some((s) => !(s > 0)))) throw new UsageError(`--shares must list ${k} positive numbers`);
    const objective = flags.objective ?? 'maxent';
    if (objective !== 'maxent' && objective !== 'worst' && objective !== 'best') throw new UsageError('--objective must be maxent, worst or best');
    const node = flags.node;
    const optimiser = objective === 'maxent' ? undefined : { ...optimiserFromFlags(flags, io), highs: await loadHighs() };
    const result = engineErrors(() =>
      disaggregate(document, {
        nodeId: node,
        parts: Array.from({ length: k }, (_, m) => ({ id: `${node}-${m + 1}`, ...(names[m] ? { name: names[m] } : {}), ...(shares[m] ? { share: shares[m] } : {}) })),
        objective,
        ...(optimiser ? { optimiser } : {}),
      }),
    );
    for (const line of result.explanation) io.err(line);
    io.out(flags.json ? JSON.stringify({ ...result.document, explanation: result.explanation }) : result.explanation.join('\n'));
    return 0;
  },
};
