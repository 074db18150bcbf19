/**
 * Policy lab: the regulator's optimal liquidation wedges and the value of a predictive model (Clayton & Coppola
 * 2025, "Financial Regulation and AI: A Faustian Bargain?", §2). Derivations in docs/engines/policy-lab.md.
 *
 * Middle (Lemma 1). Intermediary i (I of them, N assets) sells ℓ_i to solve
 *   min ½ ℓ_iᵀH_iℓ_i + ℓ_iᵀ(R_i − γ + τ_i)   s.t.  A_i^ℓ ℓ_i = A_i^q q_i + ρ_i   (rollover constraint (1), binding)
 * so with K_i = (H_i^ℓ)⁻¹, S_i = A_i^ℓ K_i A_i^ℓᵀ, P_i = K_i A_i^ℓᵀ S_i⁻¹ and Q_i = K_i − K_i A_i^ℓᵀ S_i⁻¹ A_i^ℓ K_i:
 *   ℓ_i = P_i(A_i^q q_i + ρ_i) − Q_i(R_i − γ + τ_i);   the arbitrageur's FOC gives γ = γ̄ − ΓL (7);
 *   clearing L = Σ ℓ_i (4) gives (I + Q̄Γ) L = Σ_j [P_j(A_j^q q_j + ρ_j) − Q_j(R_j − γ̄ + τ_j)],  Q̄ = Σ Q_j.
 * Hence Lemma 1's matrices: Λ_i^q = P_i A_i^q, Λ_i^τ = Q_i, Λ_ij^{q,e} = Q_i B P_j A_j^q, Λ_ij^{τ,e} = Q_i B Q_j with
 * B = Γ(I + Q̄Γ)⁻¹, and Λ̄_ij^τ = δ_ij Q_i − Q_i B Q_j (−∂ℓ_i/∂τ_j, symmetric), Σ_i Λ̄_i^τ = (I + Q̄Γ)⁻¹[Q_1 … Q_I].
 *
 * Regulator (Proposition 1). Welfare W(τ) = Σ_i [q_iᵀ(R_i − p_i) − ½q_iᵀH_i^q q_i − ℓ_iᵀ(R_i − γ) − ½ℓ_iᵀH_iℓ_i]
 * − ½τᵀΔτ is exactly quadratic in τ: W(τ) = W(0) + τᵀb − ½τᵀΞτ with b = (Σ_i Λ̄_i^τ)ᵀΓL(q) and
 * Ξ = Λ̄^τ + (Σ_i Λ̄_i^τ)ᵀΓ(Σ_i Λ̄_i^τ) + Δ (using A_i^ℓ Λ̄_i^τ = 0 and Q_iH_iQ_i = Q_i), so over parameter draws
 * τ* = E[Ξ | s]⁻¹ E[b | s] (8). Δ is diagonal here (one cost per wedge; a large entry removes an instrument).
 *
 * Value of a model (Propositions 2–3). The prior is a product of causal draws c (A^ℓ, H^ℓ: they fix Λ^τ and Ξ) and
 * predictive draws p (ρ, R, γ̄, A^q). A predictive model observes s = E[L(q) | p] + noise, so E[Ξ | s] = E₀[Ξ] =: Ψ₀
 * (Definition 3) and V = E₀[W(0)] + ½E₀[τ*]ᵀΨ₀E₀[τ*] + ½tr(Ψ₀Σ₀^τ) with Σ₀^τ = cov₀(τ*) (10); the gain over no
 * model is ½tr(Ψ₀Σ₀^τ) ≥ 0. A causal model reveals c; full information reveals (c, p).
 *
 * Ex ante (Propositions 4–5, §2.7): private allocations solve the first-order condition (12) (with the expected
 * subsidy E₀[τ_i*] added to the return under asset-retention subsidies); the planner maximises E₀[W] over q given
 * the regulator's ex-post rule; the ex-ante wedge t makes the private condition hold at the planner's q.
 */
import { EngineInputError } from './errors';
import { luFactor, luSolve } from './linalg';
import { crossedStandardError, meanStandardError } from './monte-carlo';
import { Rng } from './random';

export interface PolicyIntermediary {
  id: string;
  /** M_i, the number of rollover constraints (rows of A^q, A^ℓ, ρ). */
  nConstraints: number;
  /** q_i (N): asset positions chosen in the Beginning. */
  positions: Float64Array;
  /** R_i (N): payoff per unit held to maturity. */
  returns: Float64Array;
  /** H_i^ℓ (N × N, symmetric positive definite): quadratic cost of sales. */
  liquidationCost: Float64Array;
  /** A_i^q (M × N). */
  positionCoefficients: Float64Array;
  /** A_i^ℓ (M × N, full row rank). */
  saleCoefficients: Float64Array;
  /** ρ_i (M). */
  need: Float64Array;
  /** p_i (N): per-unit cost of positions (ex ante only). */
  unitCost: Float64Array;
  /** H_i^q (N × N): quadratic holding cost (ex ante only). */
  holdingCost: Float64Array;
}

export interface PolicyEconomy {
  assetIds: string[];
  nAssets: number;
  /** γ̄ (N): the arbitrageurs' baseline productivity (the price with no sales). */
  baselinePrice: Float64Array;
  /** Γ (N × N, symmetric positive semi-definite): price impact of sales. */
  priceImpact: Float64Array;
  intermediaries: PolicyIntermediary[];
  /** diag(Δ) (N·I, intermediary-major: wedge (i, n) at i·N + n). */
  regulatoryCost: Float64Array;
}

/** The parts of the Middle equilibrium fixed by A^ℓ, H^ℓ and Γ (the causal parameters). */
export interface CausalStructure {
  nAssets: number;
  nIntermediaries: number;
  /** Q_i = Λ_i^τ. */
  sensitivity: Float64Array[];
  /** P_i = K_i A_iᵀ S_i⁻¹ (N × M_i). */
  constraintMap: Float64Array[];
  /** K_i = (H_i^ℓ)⁻¹. */
  saleInverse: Float64Array[];
  /** (I + Q̄Γ)⁻¹. */
  clearingInverse: Float64Array;
  /** B = Γ(I + Q̄Γ)⁻¹ (symmetric). */
  spillover: Float64Array;
}

export interface MiddleEquilibrium {
  /** ℓ (N·I, intermediary-major). */
  liquidations: Float64Array;
  /** L = Σ_i ℓ_i. */
  total: Float64Array;
  /** γ = γ̄ − ΓL. */
  price: Float64Array;
}

const SYMMETRY_TOLERANCE = 1e-9;

// ---------------------------------------------------------------------------------------------------------------
// Lemma 1: the equilibrium in the Middle

/** Q_i, P_i, K_i per intermediary and the clearing inverse; throws when H^ℓ is not positive definite or A^ℓ rank-deficient. */
export function causalStructure(economy: PolicyEconomy): CausalStructure {
  const n = economy.nAssets;
  const sensitivity: Float64Array[] = [];
  const constraintMap: Float64Array[] = [];
  const saleInverse: Float64Array[] = [];
  const aggregate = new Float64Array(n * n);
  economy.intermediaries.forEach((intermediary, i) => {
    const m = intermediary.nConstraints;
    assertSymmetric(
      intermediary.liquidationCost,
      n,
      `intermediaries.${i}.liquidationCost`,
      `H^ℓ of "${intermediary.id}"`,
    );
    assertPositiveDefinite(
      intermediary.liquidationCost,
      n,
      `intermediaries.${i}.liquidationCost`,
      `H^ℓ of "${intermediary.id}"`,
    );
    const k = invert(intermediary.liquidationCost, n, `H^ℓ of "${intermediary.id}"`);
    const a = intermediary.saleCoefficients;
    const kat = multiply(k, n, n, transpose(a, m, n), m); // K Aᵀ (N × M)
    const gram = multiply(a, m, n, kat, m); // S = A K Aᵀ
    let gramInverse: Float64Array;
    try {
      gramInverse = invert(gram, m, 'S');
    } catch {
      throw new EngineInputError(
        `the sale coefficients A^ℓ of "${intermediary.id}" are not of full row rank`,
        `intermediaries.${i}.rollover`,
      );
    }
    const p = multiply(kat, n, m, gramInverse, m); // P = K Aᵀ S⁻¹
    const q = new Float64Array(n * n); // Q = K − P A K
    const pak = multiply(p, n, m, transpose(kat, n, m), n);
    for (let e = 0; e < n * n; e++) q[e] = k[e]! - pak[e]!;
    symmetrise(q, n);
    for (let e = 0; e < n * n; e++) aggregate[e]! += q[e]!;
    sensitivity.push(q);
    constraintMap.push(p);
    saleInverse.push(k);
  });
  assertSymmetric(economy.priceImpact, n, 'priceImpact', 'Γ');
  const clearing = multiply(aggregate, n, n, economy.priceImpact, n);
  for (let d = 0; d < n; d++) clearing[d * n + d]! += 1;
  const clearingInverse = invert(clearing, n, 'I + Q̄Γ');
  const spillover = multiply(economy.priceImpact, n, n, clearingInverse, n);
  symmetrise(spillover, n);
  return {
    nAssets: n,
    nIntermediaries: economy.intermediaries.length,
    sensitivity,
    constraintMap,
    saleInverse,
    clearingInverse,
    spillover,
  };
}

/** Sales of intermediary i at the baseline price γ̄: P_i(A_i^q q_i + ρ_i) − Q_i(R_i − γ̄ + τ_i), written into `out`. */
function salesAtBaselinePrice(
  economy: PolicyEconomy,
  structure: CausalStructure,
  i: number,
  positions: Float64Array,
  wedges: Float64Array | undefined,
  out: Float64Array,
): void {
  const n = economy.nAssets;
  const intermediary = economy.intermediaries[i]!;
  const m = intermediary.nConstraints;
  const need = new Float64Array(m);
  for (let r = 0; r < m; r++) {
    let sum = intermediary.need[r]!;
    for (let c = 0; c < n; c++) sum += intermediary.positionCoefficients[r * n + c]! * positions[c]!;
    need[r] = sum;
  }
  const margin = new Float64Array(n);
  for (let c = 0; c < n; c++)
    margin[c] = intermediary.returns[c]! - economy.baselinePrice[c]! + (wedges ? wedges[i * n + c]! : 0);
  const p = structure.constraintMap[i]!;
  const q = structure.sensitivity[i]!;
  for (let r = 0; r < n; r++) {
    let sum = 0;
    for (let c = 0; c < m; c++) sum += p[r * m + c]! * need[c]!;
    for (let c = 0; c < n; c++) sum -= q[r * n + c]! * margin[c]!;
    out[r] = sum;
  }
}

/**
 * The equilibrium in the Middle (Lemma 1) for positions q (default: the economy's) and stacked wedges τ (default 0):
 * liquidations ℓ_i, total L = (I + Q̄Γ)⁻¹ Σ_j ℓ_j(γ̄), price γ = γ̄ − ΓL.
 */
export function solveMiddle(
  economy: PolicyEconomy,
  structure: CausalStructure,
  wedges?: Float64Array,
  positions?: Float64Array[],
): MiddleEquilibrium {
  const n = economy.nAssets;
  const nInt = economy.intermediaries.length;
  const liquidations = new Float64Array(n * nInt);
  const atBaseline = new Float64Array(n);
  for (let i = 0; i < nInt; i++) {
    const own = liquidations.subarray(i * n, (i + 1) * n);
    salesAtBaselinePrice(economy, structure, i, positions?.[i] ?? economy.intermediaries[i]!.positions, wedges, own);
    for (let c = 0; c < n; c++) atBaseline[c]! += own[c]!;
  }
  const total = matVec(structure.clearingInverse, n, n, atBaseline);
  const impact = matVec(economy.priceImpact, n, n, total);
  const price = new Float64Array(n);
  for (let c = 0; c < n; c++) price[c] = economy.baselinePrice[c]! - impact[c]!;
  for (let i = 0; i < nInt; i++) {
    const qi = structure.sensitivity[i]!;
    for (let r = 0; r < n; r++) {
      let sum = 0;
      for (let c = 0; c < n; c++) sum += qi[r * n + c]! * impact[c]!;
      liquidations[i * n + r]! -= sum;
    }
  }
  return { liquidations, total, price };
}

/** Lagrange multipliers μ_i of the rollover constraints: S_i⁻¹(A_i^q q_i + ρ_i + A_i^ℓ K_i(R_i − γ + τ_i)). */
export function rolloverMultipliers(
  economy: PolicyEconomy,
  structure: CausalStructure,
  equilibrium: MiddleEquilibrium,
  wedges?: Float64Array,
): Float64Array[] {
  const n = economy.nAssets;
  return economy.intermediaries.map((intermediary, i) => {
    const m = intermediary.nConstraints;
    // From the FOC H ℓ + (R − γ + τ) = Aᵀμ and P = K Aᵀ S⁻¹: μ = Pᵀ(Hℓ + R − γ + τ).
    const gradient = matVec(intermediary.liquidationCost, n, n, equilibrium.liquidations.subarray(i * n, (i + 1) * n));
    for (let c = 0; c < n; c++)
      gradient[c]! += intermediary.returns[c]! - equilibrium.price[c]! + (wedges ? wedges[i * n + c]! : 0);
    return matVec(transpose(structure.constraintMap[i]!, n, m), m, n, gradient);
  });
}

/** Lemma 1's matrices, in the paper's notation, with the pair index (i, j) the paper leaves implicit in Λ_j^{q,e}, Λ_j^{τ,e}. */
export interface LemmaMatrices {
  /** ℓ̄_i: liquidations with q = 0 and τ = 0. */
  benchmark: Float64Array[];
  /** Λ_i^q = P_i A_i^q. */
  positionEffect: Float64Array[];
  /** Λ_i^τ = Q_i. */
  wedgeEffect: Float64Array[];
  /** Λ_ij^{q,e} = Q_i B P_j A_j^q, [i][j]. */
  positionSpillover: Float64Array[][];
  /** Λ_ij^{τ,e} = Q_i B Q_j, [i][j]. */
  wedgeSpillover: Float64Array[][];
}

export function lemmaMatrices(economy: PolicyEconomy, structure: CausalStructure): LemmaMatrices {
  const n = economy.nAssets;
  const nInt = economy.intermediaries.length;
  const zeroPositions = economy.intermediaries.map(() => new Float64Array(n));
  const atZero = solveMiddle(economy, structure, undefined, zeroPositions).liquidations;
  const benchmark = Array.from({ length: nInt }, (_, i) => atZero.slice(i * n, (i + 1) * n));
  const positionEffect = economy.intermediaries.map((intermediary, i) =>
    multiply(structure.constraintMap[i]!, n, intermediary.nConstraints, intermediary.positionCoefficients, n),
  );
  const qb = structure.sensitivity.map((q) => multiply(q, n, n, structure.spillover, n));
  const positionSpillover = qb.map((left) => positionEffect.map((right) => multiply(left, n, n, right, n)));
  const wedgeSpillover = qb.map((left) => structure.sensitivity.map((right) => multiply(left, n, n, right, n)));
  return {
    benchmark,
    positionEffect,
    wedgeEffect: structure.sensitivity.map((q) => q.slice()),
    positionSpillover,
    wedgeSpillover,
  };
}

/**
 * Regulator's welfare (equal weights on intermediaries, zero on arbitrageurs), revenue-neutral wedges:
 * Σ_i [q_iᵀ(R_i − p_i) − ½q_iᵀH_i^q q_i − ℓ_iᵀ(R_i − γ) − ½ℓ_iᵀH_i^ℓℓ_i] − ½τᵀΔτ.
 */
export function welfare(
  economy: PolicyEconomy,
  equilibrium: MiddleEquilibrium,
  wedges?: Float64Array,
  positions?: Float64Array[],
): number {
  const n = economy.nAssets;
  let total = 0;
  economy.intermediaries.forEach((intermediary, i) => {
    const q = positions?.[i] ?? intermediary.positions;
    const l = equilibrium.liquidations.subarray(i * n, (i + 1) * n);
    for (let c = 0; c < n; c++) {
      total +=
        q[c]! * (intermediary.returns[c]! - intermediary.unitCost[c]!) -
        l[c]! * (intermediary.returns[c]! - equilibrium.price[c]!);
    }
    total -=
      0.5 * quadraticForm(intermediary.holdingCost, n, q) + 0.5 * quadraticForm(intermediary.liquidationCost, n, l);
  });
  if (wedges)
    for (let k = 0; k < wedges.length; k++) total -= 0.5 * economy.regulatoryCost[k]! * wedges[k]! * wedges[k]!;
  return total;
}

// ---------------------------------------------------------------------------------------------------------------
// Proposition 1: the regulator's quadratic objective

export interface WedgeResponse {
  /** Λ̄^τ (NI × NI), block (i, j) = −∂ℓ_i/∂τ_j. */
  lambdaBar: Float64Array;
  /** Σ_i Λ̄_i^τ = −∂L/∂τ (N × NI). */
  totalEffect: Float64Array;
  /** Ξ = Λ̄^τ + (Σ Λ̄_i^τ)ᵀΓ(Σ Λ̄_i^τ) + Δ (NI × NI). */
  curvature: Float64Array;
  /** (Σ Λ̄_i^τ)ᵀΓ (NI × N): the causal impact of wedges on prices; b = (Σ Λ̄_i^τ)ᵀΓ L(q). */
  causalImpact: Float64Array;
}

export function wedgeResponse(economy: PolicyEconomy, structure: CausalStructure): WedgeResponse {
  const n = economy.nAssets;
  const nInt = structure.nIntermediaries;
  const size = n * nInt;
  const lambdaBar = new Float64Array(size * size);
  const totalEffect = new Float64Array(n * size);
  const qb = structure.sensitivity.map((q) => multiply(q, n, n, structure.spillover, n));
  for (let i = 0; i < nInt; i++) {
    for (let j = 0; j < nInt; j++) {
      const block = multiply(qb[i]!, n, n, structure.sensitivity[j]!, n);
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < n; c++) {
          lambdaBar[(i * n + r) * size + j * n + c] =
            (i === j ? structure.sensitivity[i]![r * n + c]! : 0) - block[r * n + c]!;
        }
      }
    }
    const column = multiply(structure.clearingInverse, n, n, structure.sensitivity[i]!, n);
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) totalEffect[r * size + i * n + c] = column[r * n + c]!;
  }
  const causalImpact = multiply(transpose(totalEffect, n, size), size, n, economy.priceImpact, n);
  const curvature = multiply(causalImpact, size, n, totalEffect, size);
  for (let e = 0; e < size * size; e++) curvature[e]! += lambdaBar[e]!;
  for (let k = 0; k < size; k++) curvature[k * size + k]! += economy.regulatoryCost[k]!;
  symmetrise(curvature, size);
  return { lambdaBar, totalEffect, curvature, causalImpact };
}

// ---------------------------------------------------------------------------------------------------------------
// Progress: where a long analysis is (policy-progress.ts weighs the stages; the policy job puts them in words)

/** The stages of the prior analysis and of the ex-ante regimes, in the order they run. */
export type PolicyStage =
  | 'prior'
  | 'equilibria'
  | 'no-model'
  | 'predictive-signals'
  | 'predictive'
  | 'causal-inverses'
  | 'causal'
  | 'full'
  | 'ex-ante';

/** `done` of `total` items of a stage: causal draws, draws (a pass over the grid of draws), signals or evaluations. */
export interface PolicyStep {
  stage: PolicyStage;
  done: number;
  total: number;
}

export type PolicyProgress = (step: PolicyStep) => void;

/** Counts the rows of the grid of draws that `passes` passes of a stage have gone through, and reports them. */
function gridPasses(
  onStep: PolicyProgress | undefined,
  stage: PolicyStage,
  draws: PriorDraws,
  passes: number,
): () => void {
  const rowSize = draws.predictive.length;
  const total = passes * draws.causal.length * rowSize;
  let done = 0;
  onStep?.({ stage, done, total });
  return () => {
    done += rowSize;
    onStep?.({ stage, done, total });
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Parameter draws: a product prior of causal draws × predictive draws

export interface UncertaintySpec {
  seed: number;
  causalDraws: number;
  predictiveDraws: number;
  /** Log-normal spreads (standard deviation of the log factor) per parameter group; 0 keeps it fixed. */
  spread: {
    need: number;
    returns: number;
    baselinePrice: number;
    positionCoefficients: number;
    liquidationCost: number;
    saleCoefficients: number;
  };
  /** Share of the log-variance common to every entry of a group in a draw (a systemic factor), in [0, 1]. */
  commonFactor: number;
}

interface CausalDraw {
  economy: PolicyEconomy;
  structure: CausalStructure;
  response: WedgeResponse;
}

interface PredictiveDraw {
  need: Float64Array[];
  returns: Float64Array[];
  positionCoefficients: Float64Array[];
  baselinePrice: Float64Array;
}

export interface PriorDraws {
  causal: CausalDraw[];
  predictive: PredictiveDraw[];
}

/** Multiplies every entry by exp(σ(√c·z_common + √(1−c)·z)). */
function perturb(values: Float64Array, sigma: number, common: number, commonShare: number, rng: Rng): Float64Array {
  if (sigma === 0) return values;
  const out = new Float64Array(values.length);
  const a = Math.sqrt(commonShare);
  const b = Math.sqrt(1 - commonShare);
  for (let k = 0; k < values.length; k++) out[k] = values[k]! * Math.exp(sigma * (a * common + b * rng.normal()));
  return out;
}

/** H ↦ D H D with D = diag(exp(σ z)): stays symmetric positive definite. */
function perturbSymmetric(
  matrix: Float64Array,
  n: number,
  sigma: number,
  common: number,
  commonShare: number,
  rng: Rng,
): Float64Array {
  if (sigma === 0) return matrix;
  const scale = perturb(new Float64Array(n).fill(1), sigma, common, commonShare, rng);
  const out = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) out[r * n + c] = scale[r]! * matrix[r * n + c]! * scale[c]!;
  return out;
}

const PREDICTIVE_STREAM = 1_000_000;
const SIGNAL_STREAM = 2_000_000;

/** Seeded draws: causal c on stream c, predictive p on stream 10⁶ + p (reproducible for a seed). */
export function drawPrior(economy: PolicyEconomy, spec: UncertaintySpec, onStep?: PolicyProgress): PriorDraws {
  const { spread, commonFactor } = spec;
  const causal: CausalDraw[] = [];
  for (let c = 0; c < spec.causalDraws; c++) {
    const rng = new Rng(spec.seed, c);
    const commonCost = rng.normal();
    const commonSale = rng.normal();
    const drawn: PolicyEconomy = {
      ...economy,
      intermediaries: economy.intermediaries.map((intermediary) => ({
        ...intermediary,
        liquidationCost: perturbSymmetric(
          intermediary.liquidationCost,
          economy.nAssets,
          spread.liquidationCost,
          commonCost,
          commonFactor,
          rng,
        ),
        saleCoefficients: perturb(
          intermediary.saleCoefficients,
          spread.saleCoefficients,
          commonSale,
          commonFactor,
          rng,
        ),
      })),
    };
    const structure = causalStructure(drawn);
    causal.push({ economy: drawn, structure, response: wedgeResponse(drawn, structure) });
    onStep?.({ stage: 'prior', done: c + 1, total: spec.causalDraws });
  }
  const predictive: PredictiveDraw[] = [];
  for (let p = 0; p < spec.predictiveDraws; p++) {
    const rng = new Rng(spec.seed, PREDICTIVE_STREAM + p);
    const commons = [rng.normal(), rng.normal(), rng.normal(), rng.normal()] as const;
    predictive.push({
      need: economy.intermediaries.map((x) => perturb(x.need, spread.need, commons[0], commonFactor, rng)),
      returns: economy.intermediaries.map((x) => perturb(x.returns, spread.returns, commons[1], commonFactor, rng)),
      positionCoefficients: economy.intermediaries.map((x) =>
        perturb(x.positionCoefficients, spread.positionCoefficients, commons[2], commonFactor, rng),
      ),
      baselinePrice: perturb(economy.baselinePrice, spread.baselinePrice, commons[3], commonFactor, rng),
    });
  }
  return { causal, predictive };
}

/** The economy of draw (c, p): causal arrays from c, predictive arrays from p. */
export function economyOfDraw(draws: PriorDraws, c: number, p: number): PolicyEconomy {
  const causal = draws.causal[c]!.economy;
  const predictive = draws.predictive[p]!;
  return {
    ...causal,
    baselinePrice: predictive.baselinePrice,
    intermediaries: causal.intermediaries.map((intermediary, i) => ({
      ...intermediary,
      need: predictive.need[i]!,
      returns: predictive.returns[i]!,
      positionCoefficients: predictive.positionCoefficients[i]!,
    })),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Propositions 1–3 over the prior

export interface ModelOutcome {
  /** E₀[V]: expected welfare when the regulator uses this model and its optimal wedges. */
  welfare: number;
  /** welfare − E₀[W(0)]: the expected gain of intervening with this model. */
  gainOverNoIntervention: number;
  /** welfare − welfare without a model: the value of the model. */
  valueOfModel: number;
  /** E₀[τ*] (NI). */
  meanWedges: Float64Array;
  /** Σ₀^τ = cov₀(τ*) about E₀[τ*] (NI × NI). */
  wedgeCovariance: Float64Array;
  /** E₀[Δ(τ*)] = E₀[½τ*ᵀΔτ*]. */
  regulatoryCost: number;
  /**
   * Monte Carlo standard errors of welfare, gainOverNoIntervention (paired with W(0) draw by draw), valueOfModel
   * (paired with no model) and regulatoryCost, over the causal × predictive grid of draws (crossedStandardError).
   */
  standardErrors: { welfare: number; gain: number; value: number; regulatoryCost: number };
}

export interface PriorAnalysis {
  nDraws: number;
  /** E₀[W(0)]: welfare without intervention. */
  baselineWelfare: number;
  /** Its Monte Carlo standard error over the grid of draws. */
  baselineWelfareStandardError: number;
  /** Ψ₀ = E₀[Ξ] (NI × NI). */
  psi: Float64Array;
  /** E₀[b] = E₀[(Σ Λ̄_i^τ)ᵀΓL(q)] (NI). */
  meanBenefit: Float64Array;
  /** τ* with no model (Proposition 1 at the prior). */
  optimalWedges: Float64Array;
  /** E₀[L(q)] and its standard deviation per asset. */
  meanLiquidations: Float64Array;
  sdLiquidations: Float64Array;
  /** Prior mean and standard deviation of the predictive model's forecastable signal E[L(q) | p]. */
  forecastMean: Float64Array;
  forecastSd: Float64Array;
  none: ModelOutcome;
  predictive: ModelOutcome & { meanTerm: number; covarianceTerm: number; noise: number; signals: number };
  causal: ModelOutcome;
  full: ModelOutcome;
}

export interface PredictiveModelSpec {
  /** Forecast noise as a multiple of the prior standard deviation of the forecast, per asset; 0: exact. */
  noise: number;
  /** Monte Carlo signals when noise > 0. */
  signals: number;
  seed: number;
}

interface DrawQuantities {
  /** b_{c,p} (NI). */
  benefit: Float64Array;
  welfare0: number;
  total: Float64Array;
}

/** Per draw: L(q), b = (Σ Λ̄_i^τ)ᵀΓL(q) and W(0) at positions q; `onRow` after each causal draw's row. */
function drawQuantities(draws: PriorDraws, positions?: Float64Array[], onRow?: () => void): DrawQuantities[][] {
  return draws.causal.map(({ structure, response }, c) => {
    const row = draws.predictive.map((_, p) => {
      const economy = economyOfDraw(draws, c, p);
      const equilibrium = solveMiddle(economy, structure, undefined, positions);
      const size = structure.nAssets * structure.nIntermediaries;
      return {
        benefit: matVec(response.causalImpact, size, structure.nAssets, equilibrium.total),
        welfare0: welfare(economy, equilibrium, undefined, positions),
        total: equilibrium.total,
      };
    });
    onRow?.();
    return row;
  });
}

/** Mean (or the known mean), covariance Σ₀^τ about it and E₀[½τᵀΔτ] of the wedges a model sets across its signals. */
function wedgeMoments(wedges: Float64Array[], regulatoryCost: Float64Array, knownMean?: Float64Array) {
  const size = regulatoryCost.length;
  const weight = 1 / wedges.length;
  const mean = knownMean ?? new Float64Array(size);
  if (!knownMean) wedges.forEach((t) => axpy(weight, t, mean));
  const covariance = new Float64Array(size * size);
  let cost = 0;
  for (const t of wedges) {
    for (let r = 0; r < size; r++) {
      const dr = t[r]! - mean[r]!;
      cost += weight * 0.5 * regulatoryCost[r]! * t[r]! * t[r]!;
      for (let c = 0; c < size; c++) covariance[r * size + c]! += weight * dr * (t[c]! - mean[c]!);
    }
  }
  return { meanWedges: mean, wedgeCovariance: covariance, regulatoryCost: cost };
}

function outcome(
  welfareValue: number,
  baseline: number,
  noneWelfare: number,
  moments: ReturnType<typeof wedgeMoments>,
  standardErrors: ModelOutcome['standardErrors'],
): ModelOutcome {
  return {
    welfare: welfareValue,
    gainOverNoIntervention: welfareValue - baseline,
    valueOfModel: welfareValue - noneWelfare,
    ...moments,
    standardErrors,
  };
}

/** ½τᵀΔτ of one wedge vector. */
function wedgeCost(wedges: ArrayLike<number>, regulatoryCost: Float64Array): number {
  let cost = 0;
  for (let k = 0; k < regulatoryCost.length; k++) cost += 0.5 * regulatoryCost[k]! * wedges[k]! ** 2;
  return cost;
}

const gridMinus = (a: number[][], b: number[][]): number[][] => a.map((row, c) => row.map((v, p) => v - b[c]![p]!));

/**
 * Propositions 1–3 over the prior: τ* with no model, with a predictive model (signal = E[L(q) | p] plus Gaussian
 * noise), with a causal model (reveals the causal draw) and with full information, and the expected welfare of each.
 *
 * One pass over the grid of (causal, predictive) draws for the four information regimes, kept together because they
 * share Ψ₀, its inverse, the draws' quantities and the paired Monte Carlo errors built on them (welfareGrid, costGrid).
 */
export function analysePrior(
  economy: PolicyEconomy,
  draws: PriorDraws,
  model: PredictiveModelSpec,
  onStep?: PolicyProgress,
): PriorAnalysis {
  const n = economy.nAssets;
  const size = n * economy.intermediaries.length;
  const nC = draws.causal.length;
  const nP = draws.predictive.length;
  const count = nC * nP;
  const quantities = drawQuantities(draws, undefined, gridPasses(onStep, 'equilibria', draws, 1));

  const psi = new Float64Array(size * size);
  draws.causal.forEach(({ response }) => axpy(1 / nC, response.curvature, psi));
  const psiInverse = invert(psi, size, 'Ψ₀ = E₀[Ξ]');
  const meanBenefit = new Float64Array(size);
  let baselineWelfare = 0;
  const meanLiquidations = new Float64Array(n);
  const secondMoment = new Float64Array(n);
  quantities.forEach((row) =>
    row.forEach((q) => {
      axpy(1 / count, q.benefit, meanBenefit);
      baselineWelfare += q.welfare0 / count;
      for (let a = 0; a < n; a++) {
        meanLiquidations[a]! += q.total[a]! / count;
        secondMoment[a]! += (q.total[a]! * q.total[a]!) / count;
      }
    }),
  );
  const sdLiquidations = meanLiquidations.map((m, a) => Math.sqrt(Math.max(0, secondMoment[a]! - m * m)));
  const optimalWedges = matVec(psiInverse, size, size, meanBenefit);
  const noneWelfare = baselineWelfare + 0.5 * quadraticForm(psi, size, optimalWedges);
  // Monte Carlo errors: the welfare the wedges of a model give at draw (c, p), W(0) + τᵀb − ½τᵀΞ_cτ (exact, the
  // model's figure is its mean over the grid); gains and values as paired differences on the same draws.
  const welfareGrid = (wedgesAt: (c: number, p: number) => ArrayLike<number>, onRow: () => void): number[][] =>
    draws.causal.map(({ response }, c) => {
      const row = quantities[c]!.map((q, p) => {
        const t = wedgesAt(c, p);
        return q.welfare0 + dot(t, q.benefit) - 0.5 * quadraticForm(response.curvature, size, t);
      });
      onRow();
      return row;
    });
  const baselineGrid = quantities.map((row) => row.map((q) => q.welfare0));
  const noneRow = gridPasses(onStep, 'no-model', draws, 2);
  const noneGrid = welfareGrid(() => optimalWedges, noneRow);
  const errorsOf = (grid: number[][], regulatoryCostError: number): ModelOutcome['standardErrors'] => ({
    welfare: crossedStandardError(grid),
    gain: crossedStandardError(gridMinus(grid, baselineGrid)),
    value: crossedStandardError(gridMinus(grid, noneGrid)),
    regulatoryCost: regulatoryCostError,
  });
  // E₀[Δ(τ)] of wedges estimated from means: per draw, Δ(τ) plus its first-order change (Δ∘τ)ᵀdτ with
  // dτ = M(b_cp − Ξ_cτ), M = Ψ₀⁻¹ (no model, predictive) or Ξ_c⁻¹ (causal): its mean over the grid is E₀[Δ(τ)]
  const costGrid = (
    onRow: () => void,
    wedgesAt: (c: number, p: number) => ArrayLike<number>,
    inverseAt?: (c: number) => Float64Array,
  ): number[][] =>
    draws.causal.map(({ response }, c) => {
      const row = quantities[c]!.map((q, p) => {
        const t = wedgesAt(c, p);
        let value = wedgeCost(t, economy.regulatoryCost);
        if (inverseAt) {
          const curvatureTimes = matVec(response.curvature, size, size, t);
          const change = matVec(
            inverseAt(c),
            size,
            size,
            q.benefit.map((v, k) => v - curvatureTimes[k]!),
          );
          for (let k = 0; k < size; k++) value += economy.regulatoryCost[k]! * t[k]! * change[k]!;
        }
        return value;
      });
      onRow();
      return row;
    });
  const noneErrors = errorsOf(
    noneGrid,
    crossedStandardError(
      costGrid(
        noneRow,
        () => optimalWedges,
        () => psiInverse,
      ),
    ),
  );
  const none = outcome(
    noneWelfare,
    baselineWelfare,
    noneWelfare,
    wedgeMoments([optimalWedges], economy.regulatoryCost),
    noneErrors,
  );

  // Predictive model: the regulator learns (a noisy view of) f_p = E[L(q) | p]; τ(s) = Ψ₀⁻¹ E[b | s].
  const forecasts = draws.predictive.map((_, p) => {
    const f = new Float64Array(n);
    for (let c = 0; c < nC; c++) axpy(1 / nC, quantities[c]![p]!.total, f);
    return f;
  });
  const wedgesByPredictive = draws.predictive.map((_, p) => {
    const b = new Float64Array(size);
    for (let c = 0; c < nC; c++) axpy(1 / nC, quantities[c]![p]!.benefit, b);
    return matVec(psiInverse, size, size, b);
  });
  const forecastMean = new Float64Array(n);
  forecasts.forEach((f) => axpy(1 / nP, f, forecastMean));
  const forecastSd = forecastMean.map((m, a) => Math.sqrt(forecasts.reduce((s, f) => s + (f[a]! - m) ** 2, 0) / nP));
  let signalWedges: Float64Array[];
  if (model.noise === 0) {
    signalWedges = wedgesByPredictive;
  } else {
    const sd = forecastSd.map((s) => Math.max(s, 1e-12) * model.noise);
    signalWedges = [];
    onStep?.({ stage: 'predictive-signals', done: 0, total: model.signals });
    for (let k = 0; k < model.signals; k++) {
      const rng = new Rng(model.seed, SIGNAL_STREAM + k);
      const truth = Math.min(nP - 1, Math.floor(rng.uniform() * nP));
      const signal = forecasts[truth]!.map((f, a) => f + sd[a]! * rng.normal());
      signalWedges.push(posteriorMix(wedgesByPredictive, posteriorWeights(forecasts, signal, sd), size));
      onStep?.({ stage: 'predictive-signals', done: k + 1, total: model.signals });
    }
  }
  // E₀[τ(s)] = τ₀ by iterated expectations, so Σ₀^τ is taken about the known mean.
  const predictiveMoments = wedgeMoments(signalWedges, economy.regulatoryCost, optimalWedges);
  const meanTerm = 0.5 * quadraticForm(psi, size, optimalWedges);
  const covarianceTerm = 0.5 * traceProduct(psi, predictiveMoments.wedgeCovariance, size);
  let predictiveErrors: ModelOutcome['standardErrors'];
  if (model.noise === 0) {
    const predictiveRow = gridPasses(onStep, 'predictive', draws, 2);
    predictiveErrors = errorsOf(
      welfareGrid((_, p) => wedgesByPredictive[p]!, predictiveRow),
      crossedStandardError(
        costGrid(
          predictiveRow,
          (_, p) => wedgesByPredictive[p]!,
          () => psiInverse,
        ),
      ),
    );
  } else {
    // noisy signals: V = V(no model) + ½tr(Ψ₀Σ₀^τ), the second term a mean over the K signals of ½(τ_k − τ₀)ᵀΨ₀(τ_k − τ₀)
    const signalTerm = meanStandardError(
      signalWedges.map((t) => {
        const d = t.map((v, k) => v - optimalWedges[k]!);
        return 0.5 * quadraticForm(psi, size, d);
      }),
    );
    predictiveErrors = {
      welfare: Math.hypot(noneErrors.welfare, signalTerm),
      gain: Math.hypot(noneErrors.gain, signalTerm),
      value: signalTerm,
      regulatoryCost: meanStandardError(signalWedges.map((t) => wedgeCost(t, economy.regulatoryCost))),
    };
  }
  const predictive = {
    ...outcome(
      baselineWelfare + meanTerm + covarianceTerm,
      baselineWelfare,
      noneWelfare,
      predictiveMoments,
      predictiveErrors,
    ),
    meanTerm,
    covarianceTerm,
    noise: model.noise,
    signals: model.noise === 0 ? nP : model.signals,
  };

  // Causal model: reveals c; τ_c = Ξ_c⁻¹ E[b | c]. Full information: τ_{c,p} = Ξ_c⁻¹ b_{c,p}.
  const causalWedges: Float64Array[] = [];
  const fullWedges: Float64Array[] = [];
  const curvatureInverses: Float64Array[] = [];
  let causalGain = 0;
  let fullGain = 0;
  onStep?.({ stage: 'causal-inverses', done: 0, total: nC });
  draws.causal.forEach(({ response }, c) => {
    const curvatureInverse = invert(response.curvature, size, `Ξ of causal draw ${c}`);
    curvatureInverses.push(curvatureInverse);
    const b = new Float64Array(size);
    quantities[c]!.forEach((q) => {
      axpy(1 / nP, q.benefit, b);
      const t = matVec(curvatureInverse, size, size, q.benefit);
      fullGain += (0.5 * dot(t, q.benefit)) / count;
      fullWedges.push(t);
    });
    const t = matVec(curvatureInverse, size, size, b);
    causalGain += (0.5 * dot(t, b)) / nC;
    causalWedges.push(t);
    onStep?.({ stage: 'causal-inverses', done: c + 1, total: nC });
  });
  const causalRow = gridPasses(onStep, 'causal', draws, 2);
  const causalErrors = errorsOf(
    welfareGrid((c) => causalWedges[c]!, causalRow),
    crossedStandardError(
      costGrid(
        causalRow,
        (c) => causalWedges[c]!,
        (c) => curvatureInverses[c]!,
      ),
    ),
  );
  const fullRow = gridPasses(onStep, 'full', draws, 2);
  const fullErrors = errorsOf(
    welfareGrid((c, p) => fullWedges[c * nP + p]!, fullRow),
    crossedStandardError(costGrid(fullRow, (c, p) => fullWedges[c * nP + p]!)),
  );
  const causal = outcome(
    baselineWelfare + causalGain,
    baselineWelfare,
    noneWelfare,
    wedgeMoments(causalWedges, economy.regulatoryCost),
    causalErrors,
  );
  const full = outcome(
    baselineWelfare + fullGain,
    baselineWelfare,
    noneWelfare,
    wedgeMoments(fullWedges, economy.regulatoryCost),
    fullErrors,
  );
  return {
    nDraws: count,
    baselineWelfare,
    baselineWelfareStandardError: crossedStandardError(baselineGrid),
    psi,
    meanBenefit,
    optimalWedges,
    meanLiquidations,
    sdLiquidations,
    forecastMean,
    forecastSd,
    none,
    predictive,
    causal,
    full,
  };
}

/** Posterior weights over predictive draws given a signal s ~ N(f_p, diag(sd²)). */
export function posteriorWeights(
  forecasts: Float64Array[],
  signal: ArrayLike<number>,
  sd: ArrayLike<number>,
): number[] {
  const logs = forecasts.map((f) => {
    let sum = 0;
    for (let a = 0; a < f.length; a++) sum -= 0.5 * ((signal[a]! - f[a]!) / sd[a]!) ** 2;
    return sum;
  });
  const top = Math.max(...logs);
  const weights = logs.map((l) => Math.exp(l - top));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
}

function posteriorMix(values: Float64Array[], weights: number[], size: number): Float64Array {
  const out = new Float64Array(size);
  values.forEach((v, k) => axpy(weights[k]!, v, out));
  return out;
}

/**
 * Corollary 1 with a forecast L̂ of total liquidations taken as E[L(q) | s]: τ = Ψ₀⁻¹ E₀[(Σ Λ̄_i^τ)ᵀΓ] L̂.
 */
export function wedgesForForecast(draws: PriorDraws, psi: Float64Array, forecast: ArrayLike<number>): Float64Array {
  const first = draws.causal[0]!.structure;
  const n = first.nAssets;
  const size = n * first.nIntermediaries;
  const impact = new Float64Array(size * n);
  draws.causal.forEach(({ response }) => axpy(1 / draws.causal.length, response.causalImpact, impact));
  return solveSymmetric(psi, size, matVec(impact, size, n, forecast));
}

/** E₀[W(τ)] for fixed wedges, by solving the equilibrium of every draw (the direct, model-free evaluation). */
export function expectedWelfare(
  draws: PriorDraws,
  wedges: Float64Array | undefined,
  positions?: Float64Array[],
): number {
  let total = 0;
  draws.causal.forEach(({ structure }, c) =>
    draws.predictive.forEach((_, p) => {
      const economy = economyOfDraw(draws, c, p);
      total += welfare(economy, solveMiddle(economy, structure, wedges, positions), wedges, positions);
    }),
  );
  return total / (draws.causal.length * draws.predictive.length);
}

// ---------------------------------------------------------------------------------------------------------------
// Propositions 4–5 and §2.7: ex-ante allocations for small examples

export type ExPostRule = 'none' | 'prior' | 'predictive';

export interface ExAnteRegime {
  rule: ExPostRule;
  /** Privately optimal positions (NI) with liquidation taxes, and with asset-retention subsidies (§2.7). */
  privateTax: Float64Array;
  privateSubsidy: Float64Array;
  /** The planner's positions (NI) given the regulator's ex-post rule. */
  social: Float64Array;
  /** Ex-ante wedges t (per unit held) that implement `social`: under taxes and under subsidies. */
  wedgeTax: Float64Array;
  wedgeSubsidy: Float64Array;
  /** E₀[W] at the private (tax) and social positions. */
  welfarePrivate: number;
  welfareSocial: number;
  /** E₀[τ*] at the social positions. */
  expectedWedges: Float64Array;
}

interface ExAnteEvaluation {
  /** Private marginal value of positions (NI): the first-order condition (12) with taxes. */
  marginalTax: Float64Array;
  /** … with asset-retention subsidies (adds E₀[τ_i*]). */
  marginalSubsidy: Float64Array;
  welfare: number;
  expectedWedges: Float64Array;
}

/** Evaluates the private FOC and expected welfare at stacked positions q under the regulator's ex-post rule. */
export function evaluateExAnte(
  draws: PriorDraws,
  psi: Float64Array,
  rule: ExPostRule,
  stacked: Float64Array,
): ExAnteEvaluation {
  const first = draws.causal[0]!;
  const n = first.structure.nAssets;
  const nInt = first.structure.nIntermediaries;
  const size = n * nInt;
  const positions = Array.from({ length: nInt }, (_, i) => stacked.subarray(i * n, (i + 1) * n));
  const quantities = drawQuantities(draws, positions);
  const nC = draws.causal.length;
  const nP = draws.predictive.length;
  const wedgesOf: (p: number) => Float64Array | undefined = (() => {
    if (rule === 'none') return () => undefined;
    if (rule === 'prior') {
      const b = new Float64Array(size);
      quantities.forEach((row) => row.forEach((q) => axpy(1 / (nC * nP), q.benefit, b)));
      const t = solveSymmetric(psi, size, b);
      return () => t;
    }
    const byP = draws.predictive.map((_, p) => {
      const b = new Float64Array(size);
      for (let c = 0; c < nC; c++) axpy(1 / nC, quantities[c]![p]!.benefit, b);
      return solveSymmetric(psi, size, b);
    });
    return (p: number) => byP[p];
  })();
  const marginalTax = new Float64Array(size);
  const expectedWedges = new Float64Array(size);
  let total = 0;
  const weight = 1 / (nC * nP);
  draws.causal.forEach(({ structure }, c) =>
    draws.predictive.forEach((_, p) => {
      const economy = economyOfDraw(draws, c, p);
      const wedges = wedgesOf(p);
      const equilibrium = solveMiddle(economy, structure, wedges, positions);
      total += weight * welfare(economy, equilibrium, wedges, positions);
      if (wedges) axpy(weight, wedges, expectedWedges);
      economy.intermediaries.forEach((intermediary, i) => {
        const m = intermediary.nConstraints;
        const l = equilibrium.liquidations.subarray(i * n, (i + 1) * n);
        // perceived cost of a marginal sale: R_i + τ_i − γ + H_i ℓ_i
        const saleCost = matVec(intermediary.liquidationCost, n, n, l);
        for (let a = 0; a < n; a++)
          saleCost[a]! += intermediary.returns[a]! + (wedges ? wedges[i * n + a]! : 0) - equilibrium.price[a]!;
        const own = multiply(structure.constraintMap[i]!, n, m, intermediary.positionCoefficients, n); // Λ_i^q
        const pushed = matVec(transpose(own, n, n), n, n, saleCost);
        const holding = matVec(intermediary.holdingCost, n, n, positions[i]!);
        for (let a = 0; a < n; a++) {
          marginalTax[i * n + a]! +=
            weight * (intermediary.returns[a]! - intermediary.unitCost[a]! - holding[a]! - pushed[a]!);
        }
      });
    }),
  );
  const marginalSubsidy = marginalTax.slice();
  axpy(1, expectedWedges, marginalSubsidy);
  return { marginalTax, marginalSubsidy, welfare: total, expectedWedges };
}

/** How many times exAnteRegime evaluates the economy over every draw for `size` positions: q₀, q₀ ± h e_k, q₀ + h(e_k + e_l), social and private. */
export const exAnteEvaluations = (size: number): number => 1 + 2 * size + (size * (size - 1)) / 2 + 2;

/**
 * Privately and socially optimal positions under a given ex-post rule. Everything is affine (FOC) or quadratic
 * (welfare) in q, so the maps are recovered exactly from evaluations at q₀ and q₀ ± h e_k (and q₀ + h(e_k + e_l)).
 */
export function exAnteRegime(
  draws: PriorDraws,
  psi: Float64Array,
  rule: ExPostRule,
  start: Float64Array,
  step: number,
  onStep?: PolicyProgress,
): ExAnteRegime {
  const size = start.length;
  let evaluations = 0;
  const total = exAnteEvaluations(size);
  const evaluate = (q: Float64Array) => {
    const evaluation = evaluateExAnte(draws, psi, rule, q);
    onStep?.({ stage: 'ex-ante', done: ++evaluations, total });
    return evaluation;
  };
  const at = (shifts: Array<[number, number]>) => {
    const q = start.slice();
    for (const [k, h] of shifts) q[k]! += h;
    return evaluate(q);
  };
  const base = at([]);
  const plus = Array.from({ length: size }, (_, k) => at([[k, step]]));
  const minus = Array.from({ length: size }, (_, k) => at([[k, -step]]));
  const solvePrivate = (pick: (e: ExAnteEvaluation) => Float64Array) => {
    const jacobian = new Float64Array(size * size);
    for (let k = 0; k < size; k++) {
      const up = pick(plus[k]!);
      const down = pick(minus[k]!);
      for (let r = 0; r < size; r++) jacobian[r * size + k] = (up[r]! - down[r]!) / (2 * step);
    }
    const rhs = pick(base).map((v) => -v);
    let delta: Float64Array;
    try {
      delta = solveDense(jacobian, size, rhs);
    } catch {
      throw new EngineInputError(
        'the private first-order conditions are singular: give every intermediary a positive definite holding cost H^q',
        'intermediaries',
      );
    }
    return start.map((v, k) => v + delta[k]!);
  };
  const privateTax = solvePrivate((e) => e.marginalTax);
  const privateSubsidy = rule === 'none' ? privateTax.slice() : solvePrivate((e) => e.marginalSubsidy);
  // Quadratic welfare: gradient and Hessian from central differences (exact for a quadratic up to rounding).
  const gradient = new Float64Array(size);
  const hessian = new Float64Array(size * size);
  for (let k = 0; k < size; k++) {
    gradient[k] = (plus[k]!.welfare - minus[k]!.welfare) / (2 * step);
    hessian[k * size + k] = (plus[k]!.welfare - 2 * base.welfare + minus[k]!.welfare) / (step * step);
    for (let l = 0; l < k; l++) {
      const both = at([
        [k, step],
        [l, step],
      ]).welfare;
      const value = (both - plus[k]!.welfare - plus[l]!.welfare + base.welfare) / (step * step);
      hessian[k * size + l] = value;
      hessian[l * size + k] = value;
    }
  }
  const negated = hessian.map((v) => -v);
  try {
    assertPositiveDefinite(negated, size, 'intermediaries', 'the Hessian of expected welfare in q');
  } catch {
    throw new EngineInputError(
      'expected welfare is not strictly concave in positions, so there is no interior social optimum: raise the holding costs H^q',
      'intermediaries',
    );
  }
  const delta = solveSymmetric(negated, size, gradient);
  const social = start.map((v, k) => v + delta[k]!);
  const atSocial = evaluate(social);
  const atPrivate = evaluate(privateTax);
  return {
    rule,
    privateTax,
    privateSubsidy,
    social,
    wedgeTax: atSocial.marginalTax,
    wedgeSubsidy: rule === 'none' ? atSocial.marginalTax : atSocial.marginalSubsidy,
    welfarePrivate: atPrivate.welfare,
    welfareSocial: atSocial.welfare,
    expectedWedges: atSocial.expectedWedges,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Small dense helpers (row-major)

export function multiply(a: Float64Array, rows: number, inner: number, b: Float64Array, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < inner; k++) {
      const v = a[r * inner + k]!;
      if (v === 0) continue;
      for (let c = 0; c < cols; c++) out[r * cols + c]! += v * b[k * cols + c]!;
    }
  }
  return out;
}

export function matVec(a: Float64Array, rows: number, cols: number, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += a[r * cols + c]! * x[c]!;
    out[r] = sum;
  }
  return out;
}

export function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c]!;
  return out;
}

export function quadraticForm(a: Float64Array, n: number, x: ArrayLike<number>): number {
  let sum = 0;
  for (let r = 0; r < n; r++) {
    let row = 0;
    for (let c = 0; c < n; c++) row += a[r * n + c]! * x[c]!;
    sum += x[r]! * row;
  }
  return sum;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let k = 0; k < a.length; k++) sum += a[k]! * b[k]!;
  return sum;
}

function axpy(scale: number, x: ArrayLike<number>, y: Float64Array): void {
  for (let k = 0; k < y.length; k++) y[k]! += scale * x[k]!;
}

function traceProduct(a: Float64Array, b: Float64Array, n: number): number {
  let sum = 0;
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) sum += a[r * n + c]! * b[c * n + r]!;
  return sum;
}

function symmetrise(a: Float64Array, n: number): void {
  for (let r = 0; r < n; r++) {
    for (let c = r + 1; c < n; c++) {
      const v = 0.5 * (a[r * n + c]! + a[c * n + r]!);
      a[r * n + c] = v;
      a[c * n + r] = v;
    }
  }
}

function solveDense(matrix: Float64Array, n: number, rhs: Float64Array): Float64Array {
  const lu = matrix.slice();
  const pivots = new Int32Array(n);
  luFactor(lu, n, pivots);
  const y = rhs.slice();
  luSolve(lu, n, pivots, y);
  return y;
}

/** Solves A x = b for symmetric positive definite A (LU with partial pivoting from linalg.ts). */
export function solveSymmetric(matrix: Float64Array, n: number, rhs: ArrayLike<number>): Float64Array {
  return solveDense(matrix, n, Float64Array.from(rhs));
}

/** A⁻¹ by LU; `what` names the matrix in the error. */
export function invert(matrix: Float64Array, n: number, what: string): Float64Array {
  const lu = matrix.slice();
  const pivots = new Int32Array(n);
  try {
    luFactor(lu, n, pivots);
  } catch {
    throw new EngineInputError(`${what} is singular`);
  }
  const out = new Float64Array(n * n);
  const column = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    column.fill(0);
    column[c] = 1;
    luSolve(lu, n, pivots, column);
    for (let r = 0; r < n; r++) out[r * n + c] = column[r]!;
  }
  return out;
}

function assertSymmetric(a: Float64Array, n: number, field: string, what: string): void {
  for (let r = 0; r < n; r++) {
    for (let c = r + 1; c < n; c++) {
      const x = a[r * n + c]!;
      const y = a[c * n + r]!;
      if (Math.abs(x - y) > SYMMETRY_TOLERANCE * Math.max(1, Math.abs(x), Math.abs(y))) {
        throw new EngineInputError(
          `${what} must be symmetric (Assumption 1): entries (${r + 1}, ${c + 1}) and (${c + 1}, ${r + 1}) differ`,
          field,
        );
      }
    }
  }
}

/** Cholesky test of positive definiteness. */
export function assertPositiveDefinite(a: Float64Array, n: number, field: string, what: string): void {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let diagonal = a[j * n + j]!;
    for (let k = 0; k < j; k++) diagonal -= l[j * n + k]! ** 2;
    if (!(diagonal > 1e-14 * Math.max(1, Math.abs(a[j * n + j]!))))
      throw new EngineInputError(`${what} must be positive definite`, field);
    const root = Math.sqrt(diagonal);
    l[j * n + j] = root;
    for (let r = j + 1; r < n; r++) {
      let sum = a[r * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[r * n + k]! * l[j * n + k]!;
      l[r * n + j] = sum / root;
    }
  }
}
