/**
 * The feasible set of network reconstruction as a flow polytope (Ruela 2019, §2.2–2.4; docs/engines/reconstruction.md):
 *
 *   Ω = { P ∈ ℝ^{n×n} : P_ij ≥ 0, P_ij = 0 off the allowed cells (always the diagonal),
 *         r̲_i ≤ Σ_j P_ij ≤ r̄_i (inside liabilities f_i),  c̲_j ≤ Σ_i P_ij ≤ c̄_j (inside assets d_j) }.
 *
 * Known f_i and d_i give equal bounds (a transportation polytope with a zero diagonal, §2.2); unknown b_i and c_i
 * give intervals (§2.3–2.4: f_i = p̄_i − b_i with 1e-5 ≤ b_i ≤ p̄_i − 1e-5, d_i = α_i − c_i with
 * 1e-5 ≤ c_i ≤ α_i − 1e-5). The bound a_ij ≤ f_i/p̄_i is implied by the row sum. A choice of orientation per pair
 * (P_ij·P_ji = 0) is a smaller allowed set, so every method here also works on one orientation.
 *
 * Three operations:
 *   - linear minimisation min_{S∈Ω} ⟨G, S⟩ (the Frank–Wolfe oracle): successive shortest paths with potentials
 *     (a min-cost flow) when the marginals are fixed, the `highs` LP otherwise (`createLinearOracle`);
 *   - the exact Euclidean projection argmin_{P∈Ω} ½‖P − Y‖²: P = max(0, Y_ij − λ_i − μ_j) on the allowed cells,
 *     with the 2n duals (λ, μ) found by a semismooth Newton method on the natural residual
 *     F = (r(λ,μ) − Π_[r̲,r̄](r + λ), s(λ,μ) − Π_[c̲,c̄](s + μ)) (`createProjector`);
 *   - the largest relative violation of the constraints (`constraintResidual`).
 */
import type { Highs } from 'highs';
import { EngineInputError } from './errors';
import { solveDense } from './linalg';

export interface FlowPolytope {
  nBanks: number;
  /** 1 where P_ij is a variable (row-major, row = debtor); the diagonal is always 0. */
  allowed: Uint8Array;
  rowLower: Float64Array;
  rowUpper: Float64Array;
  columnLower: Float64Array;
  columnUpper: Float64Array;
}

/** True when every row and column marginal is fixed (lower = upper). */
export function hasFixedMarginals(polytope: FlowPolytope): boolean {
  const { rowLower, rowUpper, columnLower, columnUpper } = polytope;
  for (let i = 0; i < polytope.nBanks; i++) {
    if (rowLower[i] !== rowUpper[i] || columnLower[i] !== columnUpper[i]) return false;
  }
  return true;
}

/** The polytope with the allowed set replaced (e.g. one orientation per pair). */
export function withAllowed(polytope: FlowPolytope, allowed: Uint8Array): FlowPolytope {
  return { ...polytope, allowed };
}

/** Allowed cells: every off-diagonal cell. */
export function offDiagonal(nBanks: number): Uint8Array {
  const allowed = new Uint8Array(nBanks * nBanks).fill(1);
  for (let i = 0; i < nBanks; i++) allowed[i * nBanks + i] = 0;
  return allowed;
}

/** Σ_j P_ij and Σ_i P_ij. */
export function marginals(matrix: Float64Array, nBanks: number): { rows: Float64Array; columns: Float64Array } {
  const rows = new Float64Array(nBanks);
  const columns = new Float64Array(nBanks);
  for (let i = 0; i < nBanks; i++) {
    let sum = 0;
    for (let j = 0; j < nBanks; j++) {
      const v = matrix[i * nBanks + j]!;
      sum += v;
      columns[j]! += v;
    }
    rows[i] = sum;
  }
  return { rows, columns };
}

/** Largest violation of a ≤ x ≤ b, relative to max(b, 1e-9·scale) (scale: the largest marginal). */
function intervalViolation(x: number, lower: number, upper: number, scale: number): number {
  const excess = x < lower ? lower - x : x > upper ? x - upper : 0;
  return excess > 0 ? excess / Math.max(upper, 1e-9 * scale, 1e-300) : 0;
}

export interface ConstraintResidual {
  /**
   * Largest relative violation of a row or column bound, a negative cell or a non-allowed non-zero cell. When
   * every bound is zero (`scale` 0) nothing is relative to anything: then it is the absolute violation, and the
   * reported residual says "undefined" in words (reportedResidual).
   */
  relative: number;
  /** The largest row or column bound the violations are relative to. */
  scale: number;
  /** The same in the data's unit. */
  absolute: number;
  /** max over pairs of min(P_ij, P_ji) / max P (0 when complementarity holds). */
  complementarity: number;
}

export function constraintResidual(polytope: FlowPolytope, matrix: Float64Array): ConstraintResidual {
  const n = polytope.nBanks;
  const { rows, columns } = marginals(matrix, n);
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, polytope.rowUpper[i]!, polytope.columnUpper[i]!);
  let relative = 0;
  let absolute = 0;
  let largest = 0;
  for (let i = 0; i < n; i++) {
    relative = Math.max(
      relative,
      intervalViolation(rows[i]!, polytope.rowLower[i]!, polytope.rowUpper[i]!, scale),
      intervalViolation(columns[i]!, polytope.columnLower[i]!, polytope.columnUpper[i]!, scale),
    );
    absolute = Math.max(
      absolute,
      polytope.rowLower[i]! - rows[i]!,
      rows[i]! - polytope.rowUpper[i]!,
      polytope.columnLower[i]! - columns[i]!,
      columns[i]! - polytope.columnUpper[i]!,
    );
    for (let j = 0; j < n; j++) {
      const v = matrix[i * n + j]!;
      largest = Math.max(largest, v);
      const bad = v < 0 ? -v : polytope.allowed[i * n + j] ? 0 : Math.abs(v);
      absolute = Math.max(absolute, bad);
      relative = Math.max(relative, bad / Math.max(scale, 1e-300));
    }
  }
  let both = 0;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) both = Math.max(both, Math.min(matrix[i * n + j]!, matrix[j * n + i]!));
  absolute = Math.max(0, absolute);
  return {
    relative: scale > 0 ? relative : absolute,
    scale,
    absolute,
    complementarity: largest > 0 ? both / largest : 0,
  };
}

/** Thrown when Ω (or one orientation of it) is empty. */
export class InfeasiblePolytopeError extends EngineInputError {}

/** A binary min-heap of (key, node) on typed arrays, with lazy deletion by the caller (stale keys skipped). */
class NodeHeap {
  private keys: Float64Array;
  private nodes: Int32Array;
  size = 0;
  /** The key of the node the last `pop` returned. */
  poppedKey = 0;

  constructor(capacity: number) {
    this.keys = new Float64Array(capacity);
    this.nodes = new Int32Array(capacity);
  }

  clear(): void {
    this.size = 0;
  }

  push(key: number, node: number): void {
    if (this.size === this.keys.length) {
      const keys = new Float64Array(2 * this.size);
      const nodes = new Int32Array(2 * this.size);
      keys.set(this.keys);
      nodes.set(this.nodes);
      this.keys = keys;
      this.nodes = nodes;
    }
    let at = this.size++;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (this.keys[parent]! <= key) break;
      this.keys[at] = this.keys[parent]!;
      this.nodes[at] = this.nodes[parent]!;
      at = parent;
    }
    this.keys[at] = key;
    this.nodes[at] = node;
  }

  pop(): number {
    const node = this.nodes[0]!;
    this.poppedKey = this.keys[0]!;
    const key = this.keys[--this.size]!;
    const last = this.nodes[this.size]!;
    let at = 0;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size && this.keys[child + 1]! < this.keys[child]!) child++;
      if (this.keys[child]! >= key) break;
      this.keys[at] = this.keys[child]!;
      this.nodes[at] = this.nodes[child]!;
      at = child;
    }
    this.keys[at] = key;
    this.nodes[at] = last;
    return node;
  }
}

/**
 * min ⟨cost, S⟩ over a transportation polytope with fixed marginals (rowLower = rowUpper = supply,
 * columnLower = columnUpper = demand) by successive shortest paths: Dijkstra on the residual graph with node
 * potentials (reduced costs stay ≥ 0), from a super source over the rows with supply left to a super sink over
 * the columns with demand left; each augmentation empties a supply, a demand or a reverse arc. Dijkstra keeps a
 * binary heap (stale entries skipped), scans the dense rows and each column's shipping rows, O(n²) per path; it starts from the column and row
 * reductions with a greedy shipment on the zero-reduced-cost arcs. Returns a vertex (its support is a forest).
 * Throws `InfeasiblePolytopeError` when the demand cannot be met.
 *
 * One function on purpose: the residual graph (flow, potentials, distances, heap, each column's shippers) is shared
 * by the start-up reductions, every Dijkstra pass and every augmentation; kept together because split, the state would
 * cross the hot path as a dozen parameters (bench/reconstruction.bench.ts times this loop).
 */
export function minCostTransport(polytope: FlowPolytope, cost: Float64Array): Float64Array {
  const n = polytope.nBanks;
  const { allowed } = polytope;
  const supply = Float64Array.from(polytope.rowLower);
  const demand = Float64Array.from(polytope.columnLower);
  let total = 0;
  let totalDemand = 0;
  for (let i = 0; i < n; i++) {
    total += supply[i]!;
    totalDemand += demand[i]!;
  }
  if (Math.abs(total - totalDemand) > 1e-9 * Math.max(total, totalDemand, 1e-300)) {
    throw new InfeasiblePolytopeError(`row totals ${total} and column totals ${totalDemand} differ`);
  }
  const eps = 1e-13 * Math.max(total, 1e-300);
  let minCost = Infinity;
  for (let e = 0; e < n * n; e++) if (allowed[e] && cost[e]! < minCost) minCost = cost[e]!;
  if (!Number.isFinite(minCost)) minCost = 0;
  const shifted = new Float64Array(n * n);
  let costScale = 0;
  for (let e = 0; e < n * n; e++) {
    shifted[e] = allowed[e] ? cost[e]! - minCost : 0;
    costScale = Math.max(costScale, shifted[e]!);
  }
  const flow = new Float64Array(n * n);
  // nodes: rows 0..n-1, columns n..2n-1, sink 2n; the source has potential `sourcePotential`
  const nodes = 2 * n + 1;
  const potential = new Float64Array(nodes); // the source keeps potential 0
  const dist = new Float64Array(nodes);
  const pred = new Int32Array(nodes);
  const done = new Uint8Array(nodes);
  const heap = new NodeHeap(4 * nodes);
  // per column, the rows that have ever shipped to it, ascending (the reverse arcs to scan: the support is a forest,
  // so a column has few, and scanning them instead of all n rows gives the same order and the same paths)
  const shippers: Int32Array[] = Array.from({ length: n }, () => new Int32Array(4));
  const shipperCount = new Int32Array(n);
  const addShipper = (i: number, j: number) => {
    let list = shippers[j]!;
    const count = shipperCount[j]!;
    let at = count;
    while (at > 0 && list[at - 1]! > i) at--;
    if (at > 0 && list[at - 1] === i) return;
    if (count === list.length) {
      const grown = new Int32Array(2 * count);
      grown.set(list);
      shippers[j] = list = grown;
    }
    list.copyWithin(at + 1, at, count);
    list[at] = i;
    shipperCount[j] = count + 1;
  };
  let remaining = total;
  // Start (as the Hungarian method does) from column then row reductions as potentials, and ship greedily along
  // the arcs whose reduced cost is then 0: every reduced cost stays ≥ 0, about half the supply is placed at once.
  let sinkPotential = Infinity;
  for (let j = 0; j < n; j++) {
    let low = Infinity;
    for (let i = 0; i < n; i++) if (allowed[i * n + j] && shifted[i * n + j]! < low) low = shifted[i * n + j]!;
    potential[n + j] = Number.isFinite(low) ? low : 0;
    sinkPotential = Math.min(sinkPotential, potential[n + j]!);
  }
  potential[2 * n] = Number.isFinite(sinkPotential) ? sinkPotential : 0;
  for (let i = 0; i < n; i++) {
    let low = Infinity;
    for (let j = 0; j < n; j++) if (allowed[i * n + j]) low = Math.min(low, shifted[i * n + j]! - potential[n + j]!);
    potential[i] = Number.isFinite(low) ? -low : 0;
    for (let j = 0; j < n && supply[i]! > eps; j++) {
      const e = i * n + j;
      if (
        !allowed[e] ||
        demand[j]! <= eps ||
        Math.abs(shifted[e]! + potential[i]! - potential[n + j]!) > 1e-12 * costScale
      )
        continue;
      const amount = Math.min(supply[i]!, demand[j]!);
      flow[e]! += amount;
      addShipper(i, j);
      supply[i]! -= amount;
      demand[j]! -= amount;
      remaining -= amount;
    }
  }
  while (remaining > eps) {
    dist.fill(Infinity);
    done.fill(0);
    pred.fill(-1);
    heap.clear();
    for (let i = 0; i < n; i++) {
      if (supply[i]! > eps) {
        dist[i] = Math.max(0, -potential[i]!);
        heap.push(dist[i]!, i);
      }
    }
    let reachedSink = false;
    for (;;) {
      let u = -1;
      while (heap.size > 0) {
        const v = heap.pop();
        if (!done[v] && heap.poppedKey === dist[v]) {
          u = v;
          break;
        }
      }
      if (u < 0) break;
      const best = dist[u]!;
      done[u] = 1;
      if (u === 2 * n) {
        reachedSink = true;
        break;
      }
      if (u < n) {
        const base = u * n;
        const pu = potential[u]!;
        for (let j = 0; j < n; j++) {
          if (!allowed[base + j]) continue;
          const v = n + j;
          if (done[v]) continue;
          const candidate = best + Math.max(0, shifted[base + j]! + pu - potential[v]!);
          if (candidate < dist[v]!) {
            dist[v] = candidate;
            pred[v] = u;
            heap.push(candidate, v);
          }
        }
      } else {
        const j = u - n;
        const pu = potential[u]!;
        const rows = shippers[j]!;
        for (let r = 0, count = shipperCount[j]!; r < count; r++) {
          const i = rows[r]!;
          if (done[i] || !(flow[i * n + j]! > eps)) continue;
          const candidate = best + Math.max(0, -shifted[i * n + j]! + pu - potential[i]!);
          if (candidate < dist[i]!) {
            dist[i] = candidate;
            pred[i] = u;
            heap.push(candidate, i);
          }
        }
        if (demand[j]! > eps) {
          const candidate = best + Math.max(0, pu - potential[2 * n]!);
          if (candidate < dist[2 * n]!) {
            dist[2 * n] = candidate;
            pred[2 * n] = u;
            heap.push(candidate, 2 * n);
          }
        }
      }
    }
    if (!reachedSink) {
      throw new InfeasiblePolytopeError(
        `no network meets the marginals on the allowed links (${remaining} left unplaced)`,
      );
    }
    const sinkDistance = dist[2 * n]!;
    for (let v = 0; v < nodes; v++) potential[v]! += Math.min(dist[v]!, sinkDistance);
    // walk back: sink ← column ← row ← column ← … ← row (first row has supply)
    let amount = Infinity;
    const lastColumn = pred[2 * n]!;
    amount = Math.min(amount, demand[lastColumn - n]!);
    let v = lastColumn;
    let firstRow = -1;
    for (;;) {
      const row = pred[v]!;
      const back = pred[row]!;
      if (back < 0) {
        firstRow = row;
        break;
      }
      amount = Math.min(amount, flow[row * n + (back - n)]!);
      v = back;
    }
    amount = Math.min(amount, supply[firstRow]!);
    v = lastColumn;
    for (;;) {
      const row = pred[v]!;
      flow[row * n + (v - n)]! += amount;
      addShipper(row, v - n);
      const back = pred[row]!;
      if (back < 0) break;
      flow[row * n + (back - n)]! -= amount;
      v = back;
    }
    supply[firstRow]! -= amount;
    demand[lastColumn - n]! -= amount;
    remaining -= amount;
  }
  for (let e = 0; e < n * n; e++) if (flow[e]! < 0) flow[e] = 0;
  return flow;
}

/** Writes the LP min ⟨cost, P⟩ over Ω in CPLEX LP format (variables p_i_j on the allowed cells). */
export function polytopeLp(polytope: FlowPolytope, cost: Float64Array): string {
  const n = polytope.nBanks;
  const { allowed } = polytope;
  const name = (i: number, j: number) => `p_${i}_${j}`;
  const fmt = (x: number) => (Number.isFinite(x) ? x.toPrecision(17) : '0');
  const objective: string[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const e = i * n + j;
      if (!allowed[e]) continue;
      const c = cost[e]!;
      objective.push(`${c >= 0 ? '+' : '-'} ${fmt(Math.abs(c))} ${name(i, j)}`);
    }
  }
  const lines = ['Minimize', ` obj: ${objective.join(' ') || '0 p_dummy'}`, 'Subject To'];
  const bounded = (label: string, terms: string[], lower: number, upper: number) => {
    if (terms.length === 0) terms.push('0 p_dummy');
    const sum = terms.join(' + ');
    if (lower === upper) lines.push(` ${label}: ${sum} = ${fmt(lower)}`);
    else {
      lines.push(` ${label}_lo: ${sum} >= ${fmt(lower)}`);
      lines.push(` ${label}_hi: ${sum} <= ${fmt(upper)}`);
    }
  };
  for (let i = 0; i < n; i++) {
    const terms: string[] = [];
    for (let j = 0; j < n; j++) if (allowed[i * n + j]) terms.push(name(i, j));
    bounded(`r${i}`, terms, polytope.rowLower[i]!, polytope.rowUpper[i]!);
  }
  for (let j = 0; j < n; j++) {
    const terms: string[] = [];
    for (let i = 0; i < n; i++) if (allowed[i * n + j]) terms.push(name(i, j));
    bounded(`c${j}`, terms, polytope.columnLower[j]!, polytope.columnUpper[j]!);
  }
  return lines.join('\n');
}

/** Reads the p_i_j columns of a HiGHS solution into a dense matrix. */
export function matrixFromSolution(nBanks: number, columns: Record<string, { Primal?: number }>): Float64Array {
  const matrix = new Float64Array(nBanks * nBanks);
  for (const [name, column] of Object.entries(columns)) {
    const match = /^p_(\d+)_(\d+)$/.exec(name);
    if (!match) continue;
    matrix[Number(match[1]) * nBanks + Number(match[2])] = Math.max(0, column.Primal ?? 0);
  }
  return matrix;
}

/** min ⟨cost, S⟩ over Ω by the HiGHS LP (any marginals). */
export function linearMinimumLp(highs: Highs, polytope: FlowPolytope, cost: Float64Array): Float64Array {
  const solution = highs.solve(`${polytopeLp(polytope, cost)}\nEnd\n`, { presolve: 'on' });
  if (solution.Status !== 'Optimal')
    throw new InfeasiblePolytopeError(`the LP oracle ended with status ${solution.Status}`);
  return matrixFromSolution(polytope.nBanks, solution.Columns);
}

export type LinearOracle = (cost: Float64Array, polytope: FlowPolytope) => Float64Array;

/** The Frank–Wolfe oracle: min-cost flow for fixed marginals, else the HiGHS LP (which must then be given). */
export function createLinearOracle(highs: Highs | null): LinearOracle {
  return (cost, polytope) => {
    if (hasFixedMarginals(polytope)) return minCostTransport(polytope, cost);
    if (!highs) throw new EngineInputError('interval marginals (unknown b or c) need the LP solver');
    return linearMinimumLp(highs, polytope, cost);
  };
}

export interface Projector {
  /**
   * argmin_{P∈Ω} ½‖P − Y‖² into `out`, warm-started from the previous call. Throws `InfeasiblePolytopeError` when
   * the Newton method does not reach its tolerance (Ω empty, e.g. an infeasible orientation).
   */
  project(target: Float64Array, out: Float64Array): void;
}

/**
 * Exact Euclidean projection onto Ω by semismooth Newton on the 2n duals. For rows whose bound is active the
 * Newton row is the generalised Jacobian of r_i(λ, μ) = Σ_j max(0, Y_ij − λ_i − μ_j) (−count_i on λ_i, −1 on the
 * μ_j of the positive cells); an inactive row has F_i = −λ_i. The reduced system is solved densely (size ≤ 2n),
 * the step damped by backtracking on ‖F‖₂.
 *
 * Long because the projector is one closure over the state its projections share (the duals kept between calls as
 * the warm start, the residual and the active flags that `evaluate` fills); almost all of it is `project`'s loop.
 */
export function createProjector(polytope: FlowPolytope, tolerance = 1e-12): Projector {
  const n = polytope.nBanks;
  const { rowLower, rowUpper, columnLower, columnUpper } = polytope;
  // cells in a row or column whose upper bound is 0 are 0 in every point of Ω: leave them out
  const allowed = Uint8Array.from(polytope.allowed, (a, e) =>
    a && rowUpper[Math.floor(e / n)]! > 0 && columnUpper[e % n]! > 0 ? 1 : 0,
  );
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, rowUpper[i]!, columnUpper[i]!);
  const duals = new Float64Array(2 * n);
  const trial = new Float64Array(2 * n);
  const residual = new Float64Array(2 * n);
  const rowActive = new Uint8Array(n);
  const columnActive = new Uint8Array(n);
  const clamp = (x: number, lo: number, hi: number) => (x < lo ? lo : x > hi ? hi : x);

  const squaredNorm = (v: Float64Array) => v.reduce((sum, x) => sum + x * x, 0);
  /** ψ(λ) = max(λ·upper, λ·lower): the support function of the interval. */
  const support = (v: number, lower: number, upper: number) => (v >= 0 ? v * upper : v * lower);

  /**
   * F(duals) into `out` and the active flags; returns the concave dual objective
   * θ(λ, μ) = −½ Σ max(0, Y_ij − λ_i − μ_j)² − Σ_i ψ_i(λ_i) − Σ_j ψ_j(μ_j) (maximised; ∇θ = F on active rows).
   */
  const evaluate = (target: Float64Array, v: Float64Array, out: Float64Array): number => {
    const rows = new Float64Array(n);
    const columns = new Float64Array(n);
    let theta = 0;
    for (let i = 0; i < n; i++) {
      const li = v[i]!;
      for (let j = 0; j < n; j++) {
        const e = i * n + j;
        if (!allowed[e]) continue;
        const z = target[e]! - li - v[n + j]!;
        if (z > 0) {
          rows[i]! += z;
          columns[j]! += z;
          theta -= 0.5 * z * z;
        }
      }
    }
    for (let i = 0; i < n; i++) {
      theta -= support(v[i]!, rowLower[i]!, rowUpper[i]!) + support(v[n + i]!, columnLower[i]!, columnUpper[i]!);
      out[i] = rows[i]! - clamp(rows[i]! + v[i]!, rowLower[i]!, rowUpper[i]!);
      out[n + i] = columns[i]! - clamp(columns[i]! + v[n + i]!, columnLower[i]!, columnUpper[i]!);
      rowActive[i] =
        rows[i]! + v[i]! > rowUpper[i]! || rows[i]! + v[i]! < rowLower[i]! || rowLower[i] === rowUpper[i] ? 1 : 0;
      columnActive[i] =
        columns[i]! + v[n + i]! > columnUpper[i]! ||
        columns[i]! + v[n + i]! < columnLower[i]! ||
        columnLower[i] === columnUpper[i]
          ? 1
          : 0;
    }
    return theta;
  };

  return {
    // One semismooth Newton loop (residual, generalised Jacobian on the active rows, dense solve, backtracking) kept
    // together because each step reads the active flags and residual the step before left; it is the innermost call
    // of every reconstruction.
    project(target, out) {
      let magnitude = scale;
      for (let e = 0; e < target.length; e++) if (allowed[e]) magnitude = Math.max(magnitude, Math.abs(target[e]!));
      const tol = tolerance * Math.max(magnitude, 1e-300);
      let theta = evaluate(target, duals, residual);
      let iterations = 0;
      for (; iterations < 300; iterations++) {
        let largest = 0;
        for (let k = 0; k < 2 * n; k++) largest = Math.max(largest, Math.abs(residual[k]!));
        if (largest <= tol) break;
        // An active row (column) with no positive cell has a zero Newton row: its step is set directly so that
        // its best cell carries |F_i| / (allowed cells), like an inactive one's step −λ_i; the others are solved.
        const bestCell = new Float64Array(2 * n).fill(-Infinity);
        const positive = new Int32Array(2 * n);
        const cells = new Int32Array(2 * n);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            const e = i * n + j;
            if (!allowed[e]) continue;
            const z = target[e]! - duals[i]! - duals[n + j]!;
            cells[i]!++;
            cells[n + j]!++;
            if (z > 0) {
              positive[i]!++;
              positive[n + j]!++;
            }
            if (z > bestCell[i]!) bestCell[i] = z;
            if (z > bestCell[n + j]!) bestCell[n + j] = z;
          }
        }
        const index = new Int32Array(2 * n).fill(-1);
        const step = new Float64Array(2 * n);
        let m = 0;
        for (let k = 0; k < 2 * n; k++) {
          const active = k < n ? rowActive[k] : columnActive[k - n];
          if (!active) step[k] = -duals[k]!;
          else if (positive[k] === 0 && cells[k]! > 0) step[k] = bestCell[k]! + residual[k]! / cells[k]!;
          else index[k] = m++;
        }
        if (m > 0) {
          const h = new Float64Array(m * m);
          const rhs = new Float64Array(m);
          for (let i = 0; i < n; i++) {
            const ri = index[i]!;
            if (ri >= 0) rhs[ri] = residual[i]!;
          }
          for (let j = 0; j < n; j++) {
            const cj = index[n + j]!;
            if (cj >= 0) rhs[cj] = residual[n + j]!;
          }
          const rowCount = new Float64Array(n);
          const columnCount = new Float64Array(n);
          for (let i = 0; i < n; i++) {
            for (let j = 0; j < n; j++) {
              const e = i * n + j;
              if (!allowed[e] || !(target[e]! - duals[i]! - duals[n + j]! > 0)) continue;
              rowCount[i]! += 1;
              columnCount[j]! += 1;
              const ri = index[i]!;
              const cj = index[n + j]!;
              // row i of F: cnt_i Δλ_i + Σ_j Δμ_j = F_i (signs of J Δ = −F with J = −H)
              if (ri >= 0) {
                if (cj >= 0) h[ri * m + cj]! += 1;
                else rhs[ri]! -= step[n + j]!;
              }
              if (cj >= 0) {
                if (ri >= 0) h[cj * m + ri]! += 1;
                else rhs[cj]! -= step[i]!;
              }
            }
          }
          for (let i = 0; i < n; i++) {
            const ri = index[i]!;
            if (ri >= 0) h[ri * m + ri]! += Math.max(rowCount[i]!, 1) * (1 + 1e-10);
            const cj = index[n + i]!;
            if (cj >= 0) h[cj * m + cj]! += Math.max(columnCount[i]!, 1) * (1 + 1e-10);
          }
          const solved = solveDense(h, m, rhs);
          for (let k = 0; k < 2 * n; k++) if (index[k]! >= 0) step[k] = solved[index[k]!]!;
        }
        let slope = 0;
        for (let k = 0; k < 2 * n; k++) slope += residual[k]! * step[k]!;
        if (!(slope > 0)) {
          // not an ascent direction (an interval bound changed sides): scaled gradient step instead
          slope = 0;
          for (let k = 0; k < 2 * n; k++) {
            step[k] = residual[k]! / Math.max(1, n - 1);
            slope += residual[k]! * step[k]!;
          }
        }
        let t = 1;
        let accepted = false;
        for (let halving = 0; halving < 50; halving++, t *= 0.5) {
          for (let k = 0; k < 2 * n; k++) trial[k] = duals[k]! + t * step[k]!;
          const trialResidual = new Float64Array(2 * n);
          const trialTheta = evaluate(target, trial, trialResidual);
          // θ loses digits near the solution (|θ| ≫ slope): a smaller residual is accepted too
          if (
            trialTheta >= theta + 1e-4 * t * slope ||
            squaredNorm(trialResidual) <= (1 - 1e-4 * t) * squaredNorm(residual)
          ) {
            duals.set(trial);
            residual.set(trialResidual);
            theta = trialTheta;
            accepted = true;
            break;
          }
        }
        if (!accepted) evaluate(target, duals, residual);
        if (!accepted) break;
      }
      let largest = 0;
      for (let k = 0; k < 2 * n; k++) largest = Math.max(largest, Math.abs(residual[k]!));
      if (!(largest <= 1e3 * tol)) {
        const message = `projection did not converge (residual ${largest.toExponential(2)} after ${iterations} Newton steps, duals up to ${Math.max(...duals.map(Math.abs)).toExponential(2)})`;
        duals.fill(0);
        throw new InfeasiblePolytopeError(message);
      }
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const e = i * n + j;
          const z = allowed[e] ? target[e]! - duals[i]! - duals[n + j]! : 0;
          out[e] = z > 0 ? z : 0;
        }
      }
    },
  };
}
