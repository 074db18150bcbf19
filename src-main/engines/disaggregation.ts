/**
 * Disaggregation of an aggregated node (insurers, "other", REITs) into k nodes (network-reconstruction-optimiser
 * §3): the liabilities P̄ of the new nodes are solved for directly, with the aggregate's known totals as
 * constraints and the rules 0 < w < c for every new node.
 *
 * Known of the aggregate g: α_g, p̄_g, c_g, d_g (§3.1); part m has the size share s_m (Σ s_m = 1, default 1/k):
 * p̄_m = s_m p̄_g, α_m = s_m α_g, so w_m = s_m w_g > 0 (the rule 0 < w). Free: the block of links between the parts
 * and the other banks, and through it each part's inside liabilities f_m (row sum) and inside assets d_m (column
 * sum), hence b_m = p̄_m − f_m and c_m = α_m − d_m. Constraints: for every other bank i, Σ_m p̄_im = p̄_ig and
 * Σ_m p̄_mi = p̄_gi (§3.1 constraints 1 and 2 for i ∈ N_0, the links among the other banks being known), which
 * gives Σ_m d_m = d_g and Σ_m (b_m + f_m) = p̄_g (constraints 1, 2) and Σ_m c_m = c_g (constraint 4); a_ii = 0
 * (constraint 3). Links among the parts are zero: with the other banks' links known, constraint 1 on d_AGG leaves
 * them no room. Bounds (§3.2): 1e-5 ≤ b_m ≤ p̄_m − 1e-5, 1e-5 ≤ c_m ≤ c_g − 1e-5, and w < c, i.e. d − b − f < 0,
 * i.e. d_m ≤ p̄_m − 1e-5 (each widened to contain the proportional split when the aggregate is tiny).
 *
 * This is the flow polytope of flow-polytope.ts with interval marginals on the parts (notes/reconstruction.md),
 * so the block is chosen by the reconstruction optimiser: the worst or best case of expected loss (Frank–Wolfe
 * with the LP oracle), or maximum entropy — the proportional split p̄_im = s_m p̄_ig, p̄_mi = s_m p̄_gi, which
 * minimises the relative entropy to the shares given every other bank's links with the aggregate and lies inside
 * the bounds, so in sample worst ≥ maximum entropy ≥ best.
 */
import type { Highs } from 'highs';
import type { NetworkDocument, NetworkNode } from '../../src-shared/formats/network';
import { numberOrNote } from '../../src-shared/results/notes';
import { EngineInputError } from './errors';
import { marginals, type FlowPolytope } from './flow-polytope';
import { liabilitiesFromMatrix } from './maxent';
import { toClearingSystem, type ClearingSystem } from './network-arrays';
import { drawShockFractions, evaluateLoss, type LossEvaluation } from './reconstruction/loss-evaluation';
import { BOUND_MARGIN, type ReconstructionProblem } from './reconstruction/problem';
import { reconstruct, type ReconstructionOptions, type ReconstructionResult } from './reconstruction/reconstruct';

export const DISAGGREGATION_OBJECTIVES = ['maxent', 'worst', 'best'] as const;
export type DisaggregationObjective = (typeof DISAGGREGATION_OBJECTIVES)[number];

export interface DisaggregationPart {
  id: string;
  name?: string;
  /** Share of the aggregate's size p̄ and α (normalised over the parts; default equal). */
  share?: number;
}

export interface DisaggregationOptions {
  nodeId: string;
  parts: DisaggregationPart[];
  /** 'maxent': the proportional split; 'worst' / 'best': the block chosen by the optimiser. */
  objective: DisaggregationObjective;
  /** Options of the optimiser for 'worst' and 'best' (complementarity off unless asked; `highs` required). */
  optimiser?: Omit<ReconstructionOptions, 'objective' | 'reference'> & { highs: Highs };
}

export interface DisaggregationResult {
  document: NetworkDocument;
  /** One sentence per new node, and one on the method: stored as the version's note. */
  explanation: string[];
  shares: number[];
  problem: ReconstructionProblem;
  /** The proportional split's block (the maximum-entropy reference and first start). */
  reference: Float64Array;
  /** The optimiser's result for 'worst' and 'best'. */
  optimised?: ReconstructionResult;
  /** The proportional split on the optimiser's shocks (in sample), for 'worst' and 'best'. */
  referenceInSample?: LossEvaluation;
}

const format = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 2 });

/** The parts' shares, normalised to sum to 1, after checking the parts' ids and shares. */
function partShares(system: ClearingSystem, options: DisaggregationOptions): number[] {
  if (options.parts.length < 2) throw new EngineInputError('split into at least 2 parts', 'parts');
  const taken = new Set(system.ids.filter((id) => id !== options.nodeId));
  options.parts.forEach((part, m) => {
    if (!part.id.trim()) throw new EngineInputError(`part ${m + 1}: the id must not be empty`, `parts.${m}.id`);
    if (taken.has(part.id))
      throw new EngineInputError(`part ${m + 1}: id "${part.id}" is already used`, `parts.${m}.id`);
    taken.add(part.id);
    if (part.share !== undefined && !(part.share > 0 && Number.isFinite(part.share))) {
      throw new EngineInputError(`part ${m + 1}: share must be > 0, got ${part.share}`, `parts.${m}.share`);
    }
  });
  const rawShares = options.parts.map((part) => part.share ?? 1);
  const shareTotal = rawShares.reduce((a, b) => a + b, 0);
  return rawShares.map((s) => s / shareTotal);
}

/**
 * The reconstruction problem of the split: the other banks' links fixed, each part linked to every other bank within
 * bounds that keep its totals (the aggregate's, times its share), and the proportional split as reference.
 */
function splitProblem(
  system: ClearingSystem,
  g: number,
  shares: number[],
  partIds: string[],
): { problem: ReconstructionProblem; reference: Float64Array; others: number[] } {
  const n = system.nBanks;
  const c = system.outsideAssets[g]!;
  const others = system.ids.map((_, i) => i).filter((i) => i !== g);
  const ids = [...others.map((i) => system.ids[i]!), ...partIds];
  const size = ids.length;
  const pbar = system.pbarMatrix;
  const fixed = new Float64Array(size * size);
  const allowed = new Uint8Array(size * size);
  const reference = new Float64Array(size * size);
  others.forEach((i, a) => {
    others.forEach((j, b) => (fixed[a * size + b] = pbar[i * n + j]!));
    shares.forEach((s, m) => {
      const part = others.length + m;
      allowed[a * size + part] = 1;
      allowed[part * size + a] = 1;
      reference[a * size + part] = s * pbar[i * n + g]!;
      reference[part * size + a] = s * pbar[g * n + i]!;
    });
  });
  const { rows: rowTarget, columns: columnTarget } = marginals(reference, size);
  const alpha = (i: number) => system.outsideAssets[i]! + system.interbankAssets[i]!;
  const rowLower = rowTarget.slice();
  const rowUpper = rowTarget.slice();
  const columnLower = columnTarget.slice();
  const columnUpper = columnTarget.slice();
  shares.forEach((s, m) => {
    const part = others.length + m;
    const pbarPart = s * system.totalObligations[g]!;
    const alphaPart = s * alpha(g);
    // f_m = p̄_m − b_m with 1e-5 ≤ b_m ≤ p̄_m − 1e-5; d_m = α_m − c_m with 1e-5 ≤ c_m ≤ c_g − 1e-5 and d_m < p̄_m (w < c)
    rowLower[part] = Math.min(BOUND_MARGIN, rowTarget[part]!);
    rowUpper[part] = Math.max(rowTarget[part]!, pbarPart - BOUND_MARGIN);
    columnLower[part] = Math.min(columnTarget[part]!, Math.max(0, alphaPart - c + BOUND_MARGIN));
    columnUpper[part] = Math.max(columnTarget[part]!, Math.min(alphaPart, pbarPart) - BOUND_MARGIN);
  });
  const polytope: FlowPolytope = { nBanks: size, allowed, rowLower, rowUpper, columnLower, columnUpper };
  const totalLiabilities = new Float64Array(size);
  const totalAssets = new Float64Array(size);
  const defaultProbability = new Float64Array(size);
  others.forEach((i, a) => {
    totalLiabilities[a] = system.totalObligations[i]!;
    totalAssets[a] = alpha(i);
    defaultProbability[a] = system.defaultProbability[i]!;
  });
  shares.forEach((s, m) => {
    totalLiabilities[others.length + m] = s * system.totalObligations[g]!;
    totalAssets[others.length + m] = s * alpha(g);
    defaultProbability[others.length + m] = system.defaultProbability[g]!;
  });
  return {
    problem: { ids, nBanks: size, totalLiabilities, totalAssets, defaultProbability, polytope, fixed },
    reference,
    others,
  };
}

/** The parts as network nodes: each part's totals, with inside assets and liabilities from the chosen block. */
function partNodesOf(
  doc: NetworkDocument,
  system: ClearingSystem,
  g: number,
  options: DisaggregationOptions,
  shares: number[],
  problem: ReconstructionProblem,
  block: Float64Array,
  firstPart: number,
): NetworkNode[] {
  const aggregate = doc.nodes[g]!;
  const blockMarginals = marginals(block, problem.nBanks);
  return options.parts.map((part, m) => {
    const s = shares[m]!;
    const index = firstPart + m;
    const insideLiabilities = blockMarginals.rows[index]!;
    const insideAssets = blockMarginals.columns[index]!;
    return {
      id: part.id,
      name: part.name?.trim() || `${aggregate.name ?? aggregate.id} (part ${m + 1} of ${options.parts.length})`,
      ...(aggregate.type !== undefined ? { type: aggregate.type } : {}),
      ...(aggregate.group !== undefined ? { group: aggregate.group } : {}),
      outsideAssets: problem.totalAssets[index]! - insideAssets,
      outsideLiabilities: problem.totalLiabilities[index]! - insideLiabilities,
      totalAssets: problem.totalAssets[index]!,
      totalLiabilities: problem.totalLiabilities[index]!,
      equity: s * system.netWorth[g]!,
      insideAssets,
      insideLiabilities,
      defaultProbability: system.defaultProbability[g]!,
    };
  });
}

/** The split in words: the aggregate's totals kept, the method, and each part's balance sheet. */
function splitExplanation(
  doc: NetworkDocument,
  system: ClearingSystem,
  g: number,
  options: DisaggregationOptions,
  shares: number[],
  partNodes: NetworkNode[],
  optimised?: ReconstructionResult,
  referenceInSample?: LossEvaluation,
): string[] {
  const aggregate = doc.nodes[g]!;
  const unit = [doc.currency, doc.unit].filter(Boolean).join(' ') || 'units';
  const method =
    options.objective === 'maxent'
      ? 'maximum entropy: links with every other bank divided in proportion to the shares'
      : `links with the other banks chosen as the ${options.objective} case of expected loss (${optimised!.samples} ${options.optimiser!.shockModel.kind} shocks, seed ${optimised!.seed}; ` +
        `in sample E[L] ${format(optimised!.inSample.expectedLoss)} against ${format(referenceInSample!.expectedLoss)} ${unit} for maximum entropy` +
        `${optimised!.measure === 'lossRatio' ? ' (objective: loss ratio)' : ''}; largest constraint residual ${numberOrNote(optimised!.residual.relative, optimised!.residual.relativeNote, (v) => v.toExponential(1))})`;
  return [
    `Split "${aggregate.name ?? aggregate.id}" (${aggregate.id}) into ${options.parts.length} nodes keeping its totals p̄ = ${format(system.totalObligations[g]!)}, α = ${format(system.outsideAssets[g]! + system.interbankAssets[g]!)}, ` +
      `c = ${format(system.outsideAssets[g]!)}, d = ${format(system.interbankAssets[g]!)} ${unit} (§3.1); each part's b and c free within them with 1e-5 ≤ b, 0 < w < c; ${method}; ` +
      'no links among the new nodes (the other banks’ links being known, the aggregate’s inside assets leave no room for them).',
    ...partNodes.map(
      (node, m) =>
        `${node.id} "${node.name}": share ${(100 * shares[m]!).toFixed(1)}% of p̄ and α; b = ${format(node.outsideLiabilities!)}, f = ${format(node.insideLiabilities!)}, ` +
        `c = ${format(node.outsideAssets!)}, d = ${format(node.insideAssets!)}; equity w = ${format(node.equity!)} with 0 < w < c.`,
    ),
  ];
}

/** Splits `options.nodeId` of a complete network (every node with outside assets and liabilities). */
export function disaggregate(doc: NetworkDocument, options: DisaggregationOptions): DisaggregationResult {
  const system = toClearingSystem(doc);
  const g = system.ids.indexOf(options.nodeId);
  if (g < 0) throw new EngineInputError(`no node "${options.nodeId}" to split`, 'nodeId');
  const shares = partShares(system, options);
  const c = system.outsideAssets[g]!;
  const w = system.netWorth[g]!;
  if (!(w > 0 && w < c)) {
    throw new EngineInputError(
      `node "${options.nodeId}": its net worth w = ${format(w)} must satisfy 0 < w < c = ${format(c)} for the parts to satisfy 0 < w < c`,
      'nodeId',
    );
  }
  const { problem, reference, others } = splitProblem(
    system,
    g,
    shares,
    options.parts.map((part) => part.id),
  );
  const fixed = problem.fixed;
  let optimised: ReconstructionResult | undefined;
  let referenceInSample: LossEvaluation | undefined;
  let block = reference;
  if (options.objective !== 'maxent') {
    const optimiser = options.optimiser;
    if (!optimiser)
      throw new EngineInputError(
        'the worst or best split needs the optimiser options (shocks, samples, seed, LP solver)',
        'optimiser',
      );
    optimised = reconstruct(problem, { complementarity: false, ...optimiser, objective: options.objective, reference });
    const sample = drawShockFractions(problem, reference, optimiser.shockModel, optimised.seed, 0, optimised.samples);
    referenceInSample = evaluateLoss(problem, sample, reference, optimised.measure);
    block = optimised.matrix.map((v, e) => v - fixed[e]!);
  }
  const matrix = fixed.map((v, e) => v + block[e]!);
  const partNodes = partNodesOf(doc, system, g, options, shares, problem, block, others.length);
  const nodes = [...others.map((i) => ({ ...doc.nodes[i]! })), ...partNodes];
  return {
    document: { ...doc, nodes, liabilities: liabilitiesFromMatrix(problem.ids, matrix) },
    explanation: splitExplanation(doc, system, g, options, shares, partNodes, optimised, referenceInSample),
    shares,
    problem,
    reference,
    ...(optimised ? { optimised, referenceInSample: referenceInSample! } : {}),
  };
}
