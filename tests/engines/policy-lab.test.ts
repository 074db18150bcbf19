import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  analysePrior,
  causalStructure,
  drawPrior,
  economyOfDraw,
  evaluateExAnte,
  exAnteRegime,
  expectedWelfare,
  lemmaMatrices,
  posteriorWeights,
  rolloverMultipliers,
  solveMiddle,
  wedgeResponse,
  welfare,
  type PolicyEconomy,
  type PriorDraws,
} from '../../src-main/engines/policy-lab';
import { Rng } from '../../src-main/engines/random';
import {
  gaussSolve,
  nelderMeadMaximise,
  quadraticMaximum,
  randomPolicyEconomy,
  testUncertainty,
} from '../support/policy';

const maxAbs = (values: ArrayLike<number>) => Math.max(...Array.from(values, Math.abs));

/**
 * The whole Middle as one KKT system in (ℓ_1 … ℓ_I, μ_1 … μ_I), with γ = γ̄ − ΓΣℓ substituted:
 * H_i ℓ_i + ΓΣ_j ℓ_j − A_iᵀμ_i = −(R_i − γ̄ + τ_i),  A_i ℓ_i = A_i^q q_i + ρ_i.
 */
function kktLiquidations(economy: PolicyEconomy, wedges: Float64Array): Float64Array {
  const n = economy.nAssets;
  const nInt = economy.intermediaries.length;
  const mOffsets: number[] = [];
  let m = 0;
  economy.intermediaries.forEach((x) => {
    mOffsets.push(n * nInt + m);
    m += x.nConstraints;
  });
  const size = n * nInt + m;
  const matrix = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  const rhs = new Array<number>(size).fill(0);
  economy.intermediaries.forEach((x, i) => {
    for (let r = 0; r < n; r++) {
      const row = i * n + r;
      for (let c = 0; c < n; c++) {
        matrix[row]![i * n + c]! += x.liquidationCost[r * n + c]!;
        for (let j = 0; j < nInt; j++) matrix[row]![j * n + c]! += economy.priceImpact[r * n + c]!;
      }
      for (let k = 0; k < x.nConstraints; k++) matrix[row]![mOffsets[i]! + k] = -x.saleCoefficients[k * n + r]!;
      rhs[row] = -(x.returns[r]! - economy.baselinePrice[r]! + wedges[i * n + r]!);
    }
    for (let k = 0; k < x.nConstraints; k++) {
      const row = mOffsets[i]! + k;
      for (let c = 0; c < n; c++) matrix[row]![i * n + c] = x.saleCoefficients[k * n + c]!;
      let need = x.need[k]!;
      for (let c = 0; c < n; c++) need += x.positionCoefficients[k * n + c]! * x.positions[c]!;
      rhs[row] = need;
    }
  });
  return Float64Array.from(gaussSolve(matrix, rhs).slice(0, n * nInt));
}

const randomWedges = (seed: number, size: number, scale = 0.02) => {
  const rng = new Rng(seed, 7);
  return Float64Array.from({ length: size }, () => scale * (2 * rng.uniform() - 1));
};

const shapes = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  nInt: fc.integer({ min: 1, max: 4 }),
  nAssets: fc.integer({ min: 1, max: 4 }),
  constraints: fc.integer({ min: 1, max: 4 }),
});

describe('Lemma 1: the equilibrium in the Middle', () => {
  it('satisfies every first-order condition, the binding rollover constraints and market clearing to 1e-9', () => {
    fc.assert(
      fc.property(shapes, ({ seed, nInt, nAssets, constraints }) => {
        const economy = randomPolicyEconomy(seed, nInt, nAssets, Math.min(constraints, nAssets));
        const n = nAssets;
        const wedges = randomWedges(seed, n * nInt);
        const structure = causalStructure(economy);
        const eq = solveMiddle(economy, structure, wedges);
        const mu = rolloverMultipliers(economy, structure, eq, wedges);
        const scale = 1 + maxAbs(eq.liquidations);
        // arbitrageur: γ̄ − γ − ΓL = 0; clearing: L = Σ ℓ_i
        for (let a = 0; a < n; a++) {
          let impact = 0;
          let sum = 0;
          for (let c = 0; c < n; c++) impact += economy.priceImpact[a * n + c]! * eq.total[c]!;
          for (let i = 0; i < nInt; i++) sum += eq.liquidations[i * n + a]!;
          expect(Math.abs(economy.baselinePrice[a]! - eq.price[a]! - impact)).toBeLessThan(1e-12);
          expect(Math.abs(eq.total[a]! - sum)).toBeLessThan(1e-9 * scale);
        }
        economy.intermediaries.forEach((x, i) => {
          for (let r = 0; r < n; r++) {
            // H ℓ + (R − γ + τ) − A^ℓᵀ μ = 0
            let g = x.returns[r]! - eq.price[r]! + wedges[i * n + r]!;
            for (let c = 0; c < n; c++) g += x.liquidationCost[r * n + c]! * eq.liquidations[i * n + c]!;
            for (let k = 0; k < x.nConstraints; k++) g -= x.saleCoefficients[k * n + r]! * mu[i]![k]!;
            expect(Math.abs(g)).toBeLessThan(1e-9);
          }
          for (let k = 0; k < x.nConstraints; k++) {
            let slack = x.need[k]!;
            for (let c = 0; c < n; c++)
              slack +=
                x.positionCoefficients[k * n + c]! * x.positions[c]! -
                x.saleCoefficients[k * n + c]! * eq.liquidations[i * n + c]!;
            expect(Math.abs(slack)).toBeLessThan(1e-9 * scale);
          }
        });
        // the same liquidations from one joint KKT system solved by plain Gaussian elimination
        const reference = kktLiquidations(economy, wedges);
        for (let k = 0; k < reference.length; k++)
          expect(Math.abs(reference[k]! - eq.liquidations[k]!)).toBeLessThan(1e-9 * scale);
      }),
      { numRuns: 60 },
    );
  });

  it("Lemma 1's Λ matrices reproduce the equilibrium's response to positions and wedges", () => {
    const economy = randomPolicyEconomy(5, 3, 3, 2);
    const n = 3;
    const structure = causalStructure(economy);
    const lemma = lemmaMatrices(economy, structure);
    const wedges = randomWedges(3, 9);
    const eq = solveMiddle(economy, structure, wedges);
    // ℓ_i = ℓ̄_i + Λ_i^q q_i − Λ_i^τ τ_i − Σ_j [Λ_ij^{q,e} q_j − Λ_ij^{τ,e} τ_j]
    for (let i = 0; i < 3; i++) {
      const predicted = lemma.benchmark[i]!.slice();
      const add = (m: Float64Array, x: ArrayLike<number>, sign: number) => {
        for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) predicted[r]! += sign * m[r * n + c]! * x[c]!;
      };
      add(lemma.positionEffect[i]!, economy.intermediaries[i]!.positions, 1);
      add(lemma.wedgeEffect[i]!, wedges.subarray(i * n, i * n + n), -1);
      for (let j = 0; j < 3; j++) {
        add(lemma.positionSpillover[i]![j]!, economy.intermediaries[j]!.positions, -1);
        add(lemma.wedgeSpillover[i]![j]!, wedges.subarray(j * n, j * n + n), 1);
      }
      for (let r = 0; r < n; r++) expect(predicted[r]).toBeCloseTo(eq.liquidations[i * n + r]!, 9);
    }
    // Λ̄^τ is −∂ℓ/∂τ (finite differences are exact: the equilibrium is affine in τ)
    const response = wedgeResponse(economy, structure);
    const h = 1e-3;
    for (let k = 0; k < 9; k++) {
      const bumped = wedges.slice();
      bumped[k]! += h;
      const eq2 = solveMiddle(economy, structure, bumped);
      for (let r = 0; r < 9; r++)
        expect(-(eq2.liquidations[r]! - eq.liquidations[r]!) / h).toBeCloseTo(response.lambdaBar[r * 9 + k]!, 7);
      for (let a = 0; a < n; a++)
        expect(-(eq2.total[a]! - eq.total[a]!) / h).toBeCloseTo(response.totalEffect[a * 9 + k]!, 7);
    }
  });
});

describe('Proposition 1: the regulator’s objective and τ*', () => {
  it('welfare is exactly W(0) + τᵀb − ½τᵀΞτ with b = (ΣΛ̄_i^τ)ᵀΓL(q) and Ξ = Λ̄^τ + (ΣΛ̄_i^τ)ᵀΓ(ΣΛ̄_i^τ) + Δ', () => {
    fc.assert(
      fc.property(shapes, ({ seed, nInt, nAssets, constraints }) => {
        const economy = randomPolicyEconomy(seed, nInt, nAssets, Math.min(constraints, nAssets));
        const size = nInt * nAssets;
        const structure = causalStructure(economy);
        const response = wedgeResponse(economy, structure);
        const eq0 = solveMiddle(economy, structure);
        const w0 = welfare(economy, eq0);
        const b = new Float64Array(size);
        for (let r = 0; r < size; r++)
          for (let a = 0; a < nAssets; a++) b[r]! += response.causalImpact[r * nAssets + a]! * eq0.total[a]!;
        const tau = randomWedges(seed + 1, size, 0.05);
        let quadratic = 0;
        for (let r = 0; r < size; r++)
          for (let c = 0; c < size; c++) quadratic += tau[r]! * response.curvature[r * size + c]! * tau[c]!;
        let linear = 0;
        for (let r = 0; r < size; r++) linear += tau[r]! * b[r]!;
        const direct = welfare(economy, solveMiddle(economy, structure, tau), tau);
        expect(Math.abs(direct - (w0 + linear - 0.5 * quadratic))).toBeLessThan(1e-9 * (1 + Math.abs(w0)));
      }),
      { numRuns: 60 },
    );
  });

  it('τ* over parameter draws matches a Nelder–Mead maximisation of E₀[W(τ)] solved draw by draw', () => {
    for (const [seed, nInt, nAssets] of [
      [11, 1, 2],
      [12, 2, 2],
      [13, 3, 2],
    ] as const) {
      const economy = randomPolicyEconomy(seed, nInt, nAssets);
      const draws = drawPrior(economy, testUncertainty(seed, 3, 4));
      const analysis = analysePrior(economy, draws, { noise: 0, signals: 1, seed });
      const objective = (tau: Float64Array) => expectedWelfare(draws, tau);
      const found = nelderMeadMaximise(objective, new Float64Array(nInt * nAssets), 0.01);
      const scale = maxAbs(analysis.optimalWedges);
      expect(scale).toBeGreaterThan(1e-6);
      for (let k = 0; k < found.x.length; k++)
        expect(Math.abs(found.x[k]! - analysis.optimalWedges[k]!)).toBeLessThan(1e-4 * scale);
      expect(objective(analysis.optimalWedges)).toBeGreaterThanOrEqual(found.value - 1e-12);
      // and the expected welfare the analysis reports is the direct one
      expect(analysis.none.welfare).toBeCloseTo(objective(analysis.optimalWedges), 10);
    }
  });
});

/** E₀[W(τ)] restricted to draws with posterior weights over predictive draws (direct equilibria). */
function posteriorWelfare(draws: PriorDraws, weights: number[], tau: Float64Array): number {
  let total = 0;
  draws.causal.forEach(({ structure }, c) =>
    draws.predictive.forEach((_, p) => {
      if (weights[p] === 0) return;
      const economy = economyOfDraw(draws, c, p);
      total += (weights[p]! / draws.causal.length) * welfare(economy, solveMiddle(economy, structure, tau), tau);
    }),
  );
  return total;
}

describe('Propositions 2–3: the value of predictive and causal models', () => {
  it('a predictive model never lowers expected welfare (random instances), and its value is ½tr(Ψ₀Σ₀^τ)', () => {
    fc.assert(
      fc.property(shapes, fc.integer({ min: 2, max: 6 }), ({ seed, nInt, nAssets }, nP) => {
        const economy = randomPolicyEconomy(seed, Math.min(nInt, 3), Math.min(nAssets, 3));
        const draws = drawPrior(economy, testUncertainty(seed, 2, nP));
        const analysis = analysePrior(economy, draws, { noise: 0, signals: 1, seed });
        // Exact predictive model: reveals the predictive draw p; E[W | p] is maximised directly, draw by draw.
        const tauNone = analysis.optimalWedges;
        let gain = 0;
        draws.predictive.forEach((_, p) => {
          const weights = draws.predictive.map((__, k) => (k === p ? 1 : 0));
          const objective = (tau: Float64Array) => posteriorWelfare(draws, weights, tau);
          const best = quadraticMaximum(objective, tauNone.slice(), 0.01);
          const gainAtP = best.value - objective(tauNone);
          expect(gainAtP).toBeGreaterThanOrEqual(-1e-12 * (1 + Math.abs(best.value)));
          gain += gainAtP / nP;
        });
        expect(analysis.predictive.valueOfModel).toBeGreaterThanOrEqual(0);
        expect(Math.abs(gain - analysis.predictive.valueOfModel)).toBeLessThan(
          1e-6 * (1 + Math.abs(analysis.predictive.valueOfModel)) + 1e-9,
        );
      }),
      { numRuns: 12 },
    );
  });

  it('with a noisy forecast the Bayesian regulator gains at every signal, and a noisier forecast is worth less', () => {
    const economy = randomPolicyEconomy(21, 2, 2);
    const draws = drawPrior(economy, testUncertainty(21, 3, 8));
    const analysis = analysePrior(economy, draws, { noise: 0.7, signals: 300, seed: 5 });
    const exact = analysePrior(economy, draws, { noise: 0, signals: 1, seed: 5 });
    expect(analysis.predictive.valueOfModel).toBeGreaterThan(0);
    expect(analysis.predictive.valueOfModel).toBeLessThan(exact.predictive.valueOfModel); // a noisier forecast is worth less
    // E₀[τ(s)] = τ₀ up to Monte Carlo error
    const rng = new Rng(9, 0);
    const forecasts = draws.predictive.map((_, p) => {
      const f = new Float64Array(2);
      draws.causal.forEach(({ structure }, c) => {
        const eq = solveMiddle(economyOfDraw(draws, c, p), structure);
        for (let a = 0; a < 2; a++) f[a]! += eq.total[a]! / draws.causal.length;
      });
      return f;
    });
    const sd = analysis.forecastSd.map((s) => s * 0.7);
    for (let k = 0; k < 5; k++) {
      const truth = Math.floor(rng.uniform() * 8);
      const signal = forecasts[truth]!.map((f, a) => f + sd[a]! * rng.normal());
      const weights = posteriorWeights(forecasts, signal, sd);
      const objective = (tau: Float64Array) => posteriorWelfare(draws, weights, tau);
      const best = quadraticMaximum(objective, analysis.optimalWedges.slice(), 0.01);
      expect(best.value).toBeGreaterThanOrEqual(objective(analysis.optimalWedges) - 1e-12);
    }
  });

  it('causal and full-information welfare equal direct evaluations, and information is valuable in every case', () => {
    const economy = randomPolicyEconomy(31, 2, 2);
    const draws = drawPrior(economy, testUncertainty(31, 4, 5));
    const analysis = analysePrior(economy, draws, { noise: 0, signals: 1, seed: 1 });
    // direct: a causal model reveals c; maximise each causal draw's expected welfare over τ by equilibria
    let causal = 0;
    draws.causal.forEach(({ structure }, c) => {
      const objective = (t: Float64Array) =>
        draws.predictive.reduce((s, _, p) => {
          const e = economyOfDraw(draws, c, p);
          return s + welfare(e, solveMiddle(e, structure, t), t) / draws.predictive.length;
        }, 0);
      causal += quadraticMaximum(objective, analysis.optimalWedges.slice(), 0.01).value / draws.causal.length;
    });
    expect(analysis.causal.welfare).toBeCloseTo(causal, 7);
    expect(analysis.causal.valueOfModel).toBeGreaterThanOrEqual(0);
    expect(analysis.full.welfare).toBeGreaterThanOrEqual(
      Math.max(analysis.causal.welfare, analysis.predictive.welfare) - 1e-12,
    );
    expect(analysis.none.welfare).toBeGreaterThanOrEqual(analysis.baselineWelfare);
    // Prop. 2's decomposition: V = E₀[W(0)] + ½E₀[τ]ᵀΨ₀E₀[τ] + ½tr(Ψ₀Σ₀^τ)
    expect(analysis.predictive.welfare).toBeCloseTo(
      analysis.baselineWelfare + analysis.predictive.meanTerm + analysis.predictive.covarianceTerm,
      12,
    );
    expect(analysis.predictive.meanTerm).toBeCloseTo(analysis.none.welfare - analysis.baselineWelfare, 12);
  });
});

describe('Propositions 4–5 and §2.7: ex-ante allocations', () => {
  const economy = randomPolicyEconomy(41, 2, 2, 1, true);
  const draws = drawPrior(economy, testUncertainty(41, 2, 3));
  const analysis = analysePrior(economy, draws, { noise: 0, signals: 1, seed: 1 });
  const start = Float64Array.from(economy.intermediaries.flatMap((x) => Array.from(x.positions)));

  /**
   * Intermediary i's perceived expected payoff from its own positions x, taking each draw's price and wedges as
   * given (it re-solves only its own sales, the KKT of its problem at fixed γ and τ), plus x·τ under subsidies.
   */
  function perceivedPayoff(
    rule: 'none' | 'prior',
    qStar: Float64Array,
    i: number,
    x: Float64Array,
    subsidy: boolean,
  ): number {
    const n = economy.nAssets;
    const positions = [0, 1].map((j) => qStar.slice(j * n, j * n + n));
    let b = new Float64Array(4);
    if (rule === 'prior') {
      draws.causal.forEach(({ structure, response }, c) =>
        draws.predictive.forEach((_, p) => {
          const eq = solveMiddle(economyOfDraw(draws, c, p), structure, undefined, positions);
          for (let r = 0; r < 4; r++)
            for (let a = 0; a < n; a++) b[r]! += (response.causalImpact[r * n + a]! * eq.total[a]!) / 6;
        }),
      );
      b = Float64Array.from(gaussSolve(rowsOf(analysis.psi, 4), Array.from(b)));
    } else b.fill(0);
    const tau = b;
    let total = 0;
    draws.causal.forEach(({ structure }, c) =>
      draws.predictive.forEach((_, p) => {
        const e = economyOfDraw(draws, c, p);
        const eq = solveMiddle(e, structure, tau, positions);
        const me = e.intermediaries[i]!;
        const own = { ...e, intermediaries: [{ ...me, positions: x }], regulatoryCost: new Float64Array(n) };
        // own sales at the fixed price γ: the joint KKT with Γ = 0 and γ̄ = γ
        const fixed = { ...own, priceImpact: new Float64Array(n * n), baselinePrice: eq.price };
        const sales = kktLiquidations(fixed, tau.subarray(i * n, i * n + n));
        let value = 0;
        for (let a = 0; a < n; a++) {
          value +=
            x[a]! * (me.returns[a]! - me.unitCost[a]!) - sales[a]! * (me.returns[a]! + tau[i * n + a]! - eq.price[a]!);
          if (subsidy) value += x[a]! * tau[i * n + a]!;
          for (let k = 0; k < n; k++)
            value -=
              0.5 *
              (x[a]! * me.holdingCost[a * n + k]! * x[k]! + sales[a]! * me.liquidationCost[a * n + k]! * sales[k]!);
        }
        total += value / 6;
      }),
    );
    return total;
  }

  it('private positions satisfy each intermediary’s own optimality (taxes and subsidies); the planner’s are a maximum', () => {
    for (const rule of ['none', 'prior'] as const) {
      const regime = exAnteRegime(draws, analysis.psi, rule, start, 5);
      for (const [positions, subsidy] of [
        [regime.privateTax, false],
        [regime.privateSubsidy, true],
      ] as const) {
        for (let i = 0; i < 2; i++) {
          const own = positions.slice(i * 2, i * 2 + 2);
          for (let a = 0; a < 2; a++) {
            const h = 1;
            const up = own.slice();
            up[a]! += h;
            const down = own.slice();
            down[a]! -= h;
            const slope =
              (perceivedPayoff(rule, positions, i, up, subsidy) - perceivedPayoff(rule, positions, i, down, subsidy)) /
              (2 * h);
            expect(Math.abs(slope)).toBeLessThan(1e-8);
          }
        }
      }
      const social = evaluateExAnte(draws, analysis.psi, rule, regime.social).welfare;
      expect(regime.welfareSocial).toBeCloseTo(social, 10);
      expect(social).toBeGreaterThanOrEqual(regime.welfarePrivate - 1e-12);
      const rng = new Rng(3, 1);
      for (let k = 0; k < 6; k++) {
        const moved = regime.social.map((v) => v + 2 * (rng.uniform() - 0.5));
        expect(evaluateExAnte(draws, analysis.psi, rule, moved).welfare).toBeLessThanOrEqual(social + 1e-12);
      }
      // the ex-ante wedge t makes the private first-order condition hold at the social positions
      const atSocial = evaluateExAnte(draws, analysis.psi, rule, regime.social);
      for (let k = 0; k < 4; k++) expect(atSocial.marginalTax[k]! - regime.wedgeTax[k]!).toBeCloseTo(0, 12);
    }
  });
});

function rowsOf(values: Float64Array, n: number): number[][] {
  return Array.from({ length: n }, (_, r) => Array.from(values.subarray(r * n, r * n + n)));
}
