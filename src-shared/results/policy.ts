/**
 * What the policy lab reports (the `policy` job of the Policy screen and `cwb wedges`, saved as runs of kind "policy";
 * `cwb wedges --json`): JSON-safe.
 * Matrices indexed [intermediary][asset] for wedges and liquidations; Ψ₀ and Σ₀^τ are (I·N) × (I·N) with wedge
 * (i, n) at row i·N + n. Money in the configuration's currency and unit; quantities in units of the assets.
 */

export interface PolicyEquilibriumView {
  /** τ_i,n applied (per unit sold). */
  wedges: number[][];
  /** ℓ_i,n. */
  liquidations: number[][];
  /** L_n = Σ_i ℓ_i,n. */
  total: number[];
  /** γ_n = γ̄_n − (ΓL)_n. */
  price: number[];
  /** Multipliers μ_i of the rollover constraints (≥ 0 when the binding solution is the true optimum). */
  multipliers: number[][];
  /** Welfare W(τ) at these parameters. */
  welfare: number;
  /**
   * Gross flows of the wedges, remitted lump sum (revenue-neutral): as a liquidation tax Σ_i ℓ_iᵀτ_i, or as the
   * asset-retention subsidy of §2.7, Σ_i (q_i − ℓ_i)ᵀτ_i paid on what is held to maturity (same sales and price).
   */
  transfers: { tax: number; subsidy: number };
}

export interface PolicyModelView {
  welfare: number;
  gainOverNoIntervention: number;
  valueOfModel: number;
  meanWedges: number[][];
  /** tr(Σ₀^τ): total variance of the wedges this model sets across signals. */
  wedgeVariance: number;
  regulatoryCost: number;
  /**
   * Monte Carlo standard errors over the seeded draws (docs/engines/policy-lab.md, "How sure"): of welfare, of the
   * gain (paired with W(0) on the same draws), of the value of the model (paired with no model) and of E₀[Δ(τ*)].
   * Absent in runs saved before they were reported.
   */
  welfareStandardError?: number;
  gainOverNoInterventionStandardError?: number;
  valueOfModelStandardError?: number;
  regulatoryCostStandardError?: number;
}

export interface PolicyExAnteView {
  rule: ExPostRuleName;
  privateTax: number[][];
  privateSubsidy: number[][];
  social: number[][];
  wedgeTax: number[][];
  wedgeSubsidy: number[][];
  welfarePrivate: number;
  welfareSocial: number;
  expectedWedges: number[][];
}

export interface PolicyLabResult {
  name: string;
  currency: string;
  unit: string;
  assets: string[];
  intermediaries: string[];
  inputs: {
    seed: number;
    causalDraws: number;
    predictiveDraws: number;
    draws: number;
    noise: number;
    signals: number;
    commonFactor: number;
  };
  /** τ* with no model (Proposition 1 at the prior). */
  optimalWedges: number[][];
  /** Δ(τ*) = ½ τ*ᵀΔτ*. */
  regulatoryCost: number;
  /** Its Monte Carlo standard error (τ* is estimated from the draws; absent in runs saved before it was reported). */
  regulatoryCostStandardError?: number;
  /** The equilibrium at the configuration's (central) parameters without and with τ*. */
  central: { noIntervention: PolicyEquilibriumView; optimal: PolicyEquilibriumView };
  prior: { meanLiquidations: number[]; sdLiquidations: number[]; forecastMean: number[]; forecastSd: number[] };
  welfare: {
    baseline: number;
    /** Monte Carlo standard error of E₀[W(0)] (absent in runs saved before it was reported). */
    baselineStandardError?: number;
    none: PolicyModelView;
    predictive: PolicyModelView & { meanTerm: number; covarianceTerm: number };
    causal: PolicyModelView;
    full: PolicyModelView;
  };
  /** Ψ₀ = E₀[Ξ] and Σ₀^τ of the predictive model. */
  psi: number[][];
  sigmaTau: number[][];
  /** Wedges set on a forecast of liquidations (Corollary 1) and the central equilibrium under them. */
  forecast?: { values: number[]; wedges: number[][]; equilibrium: PolicyEquilibriumView; expectedWelfare: number };
  /** The configuration's own wedges, evaluated. */
  evaluated?: { wedges: number[][]; expectedWelfare: number; equilibrium: PolicyEquilibriumView };
  exAnte?: PolicyExAnteView[];
  /** Lemma 1's matrices at the central parameters, when asked for. */
  lemma?: {
    benchmark: number[][];
    positionEffect: number[][][];
    wedgeEffect: number[][][];
    positionSpillover: number[][][][];
    wedgeSpillover: number[][][][];
  };
  warnings: string[];
}

/** The regulator's ex-post rules of the ex-ante analysis (Propositions 4–5), in the order they are computed. */
export const EX_POST_RULES = ['none', 'prior', 'predictive'] as const;
export type ExPostRuleName = (typeof EX_POST_RULES)[number];
/** Each rule as the Policy screen and the policy job's progress name it. */
export const EX_POST_RULE_WORDS: Record<ExPostRuleName, string> = {
  none: 'no intervention',
  prior: 'τ* with no model',
  predictive: 'τ* with predictive model',
};
