/**
 * Disaggregation of an aggregated node (insurers, "other", REITs) into k nodes (network-reconstruction-optimiser
 * §3): the liabilities P̄ of the new nodes are solved for directly, with the aggregate's known totals as
 * constraints and the rules 0 < w < c for every new node.
 *
 * Part m receives a share s_m (Σ s_m = 1, default 1/k) of the aggregate's outside assets c, outside liabilities b,
 * inside assets d and inside liabilities f, so Σ_m c_m = c_AGG, Σ_m (b_m + f_m) = p̄_AGG, Σ_m d_m = d_AGG (§3.1
 * constraints 1, 2 and 4) and w_m = s_m w_AGG, which satisfies 0 < w_m < c_m exactly when 0 < w_AGG < c_AGG
 * (the two inequality constraints of §3.1). The unknown block is the links between the parts and the other
 * nodes: for every other node i, Σ_m p̄_im = p̄_i,AGG and Σ_m p̄_mi = p̄_AGG,i (the other nodes' inside assets and
 * liabilities d_i, f_i are kept), with row sums f_m and column sums d_m for the parts; links among the parts are
 * zero (the aggregate's figures are consolidated). This is the flow polytope of flow-polytope.ts on that block,
 * the known cells subtracted from the marginals (notes/reconstruction.md), so the block can be the proportional
 * split (maximum entropy given the aggregate's links) or the worst or best case of reconstruction.ts.
 */
import type { NetworkDocument, NetworkNode } from '../../src-shared/formats/network';
import { EngineInputError } from './errors';
import type { FlowPolytope } from './flow-polytope';
import { liabilitiesFromMatrix } from './maxent';
import { toClearingSystem } from './network-arrays';
import { reconstruct, type ReconstructionOptions, type ReconstructionProblem, type ReconstructionResult } from './reconstruction';

export interface DisaggregationPart {
  id: string;
  name?: string;
  /** Share of the aggregate (normalised over the parts; default equal). */
  share?: number;
}

export interface DisaggregationOptions {
  nodeId: string;
  parts: DisaggregationPart[];
  /** 'maxent': the proportional split; 'worst' / 'best': the block chosen by the optimiser. */
  objective: 'maxent' | 'worst' | 'best';
  /** Options of the optimiser for 'worst' and 'best' (complementarity off unless asked). */
  optimiser?: Omit<ReconstructionOptions, 'objective' | 'reference'>;
}

export interface DisaggregationResult {
  document: NetworkDocument;
  /** One sentence per new node, and one on the method: stored as the version's note. */
  explanation: string[];
  shares: number[];
  problem: ReconstructionProblem;
  /** The optimiser's result for 'worst' and 'best'. */
  optimised?: ReconstructionResult;
}

const format = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 2 });

/** Splits `options.nodeId` of a complete network (every node with outside assets and liabilities). */
export function disaggregate(doc: NetworkDocument, options: DisaggregationOptions): DisaggregationResult {
  const system = toClearingSystem(doc);
  const g = system.ids.indexOf(options.nodeId);
  if (g < 0) throw new EngineInputError(`no node "${options.nodeId}" to split`, 'nodeId');
  const k = options.parts.length;
  if (k < 2) throw new EngineInputError('split into at least 2 parts', 'parts');
  const taken = new Set(system.ids.filter((id) => id !== options.nodeId));
  options.parts.forEach((part, m) => {
    if (!part.id.trim()) throw new EngineInputError(`part ${m + 1}: the id must not be empty`, `parts.${m}.id`);
    if (taken.has(part.id)) throw new EngineInputError(`part ${m + 1}: id "${part.id}" is already used`, `parts.${m}.id`);
    taken.add(part.id);
    if (part.share !== undefined && !(part.share > 0 && Number.isFinite(part.share))) {
      throw new EngineInputError(`part ${m + 1}: share must be > 0, got ${part.share}`, `parts.${m}.share`);
    }
  });
  const rawShares = options.parts.map((part) => part.share ?? 1);
  const shareTotal = rawShares.reduce((a, b) => a + b, 0);
  const shares = rawShares.map((s) => s / shareTotal);
  const c = system.outsideAssets[g]!;
  const w = system.netWorth[g]!;
  if (!(w > 0 && w < c)) {
    throw new EngineInputError(
      `node "${options.nodeId}": its net worth w = ${format(w)} must satisfy 0 < w < c = ${format(c)} for the parts to satisfy 0 < w < c`,
      'nodeId',
    );
  }
  const n = system.nBanks;
  const others = system.ids.map((_, i) => i).filter((i) => i !== g);
  const ids = [...others.map((i) => system.ids[i]!), ...options.parts.map((part) => part.id)];
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
  const rowTarget = new Float64Array(size);
  const columnTarget = new Float64Array(size);
  for (let e = 0; e < size * size; e++) {
    rowTarget[Math.floor(e / size)] += reference[e]!;
    columnTarget[e % size] += reference[e]!;
  }
  const polytope: FlowPolytope = {
    nBanks: size,
    allowed,
    rowLower: rowTarget,
    rowUpper: rowTarget.slice(),
    columnLower: columnTarget,
    columnUpper: columnTarget.slice(),
  };
  const totalLiabilities = new Float64Array(size);
  const totalAssets = new Float64Array(size);
  const defaultProbability = new Float64Array(size);
  const alpha = (i: number) => system.outsideAssets[i]! + system.interbankAssets[i]!;
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
  const problem: ReconstructionProblem = { ids, nBanks: size, totalLiabilities, totalAssets, defaultProbability, polytope, fixed };
  let optimised: ReconstructionResult | undefined;
  let block = reference;
  if (options.objective !== 'maxent') {
    if (!options.optimiser) throw new EngineInputError('the worst or best split needs the optimiser options (shocks, samples, seed)', 'optimiser');
    optimised = reconstruct(problem, { complementarity: false, ...options.optimiser, objective: options.objective, reference });
    block = optimised.matrix.map((v, e) => v - fixed[e]!);
  }
  const matrix = fixed.map((v, e) => v + block[e]!);
  const aggregate = doc.nodes[g]!;
  const partNodes: NetworkNode[] = options.parts.map((part, m) => {
    const s = shares[m]!;
    return {
      id: part.id,
      name: part.name?.trim() || `${aggregate.name ?? aggregate.id} (part ${m + 1} of ${k})`,
      ...(aggregate.type !== undefined ? { type: aggregate.type } : {}),
      ...(aggregate.group !== undefined ? { group: aggregate.group } : {}),
      outsideAssets: s * c,
      outsideLiabilities: s * system.outsideLiabilities[g]!,
      totalAssets: s * alpha(g),
      totalLiabilities: s * system.totalObligations[g]!,
      equity: s * w,
      insideAssets: s * system.interbankAssets[g]!,
      insideLiabilities: s * (system.totalObligations[g]! - system.outsideLiabilities[g]!),
      defaultProbability: system.defaultProbability[g]!,
    };
  });
  const nodes = [...others.map((i) => ({ ...doc.nodes[i]! })), ...partNodes];
  const method =
    options.objective === 'maxent'
      ? 'links with every other bank divided in proportion to the shares (maximum entropy given the aggregate’s links)'
      : `links with the other banks chosen as the ${options.objective} case of expected loss (${optimised!.samples} shocks, seed ${optimised!.seed})`;
  const explanation = [
    `Split "${aggregate.name ?? aggregate.id}" (${aggregate.id}) into ${k} nodes; ${method}; no links among the new nodes (the aggregate’s figures are consolidated).`,
    ...partNodes.map(
      (node, m) =>
        `${node.id} "${node.name}": share ${(100 * shares[m]!).toFixed(1)}% of outside assets c, outside liabilities b, inside assets d and inside liabilities f; equity w = ${format(node.equity!)} with 0 < w < c = ${format(node.outsideAssets!)}.`,
    ),
  ];
  return {
    document: { ...doc, nodes, liabilities: liabilitiesFromMatrix(ids, matrix) },
    explanation,
    shares,
    problem,
    ...(optimised ? { optimised } : {}),
  };
}
