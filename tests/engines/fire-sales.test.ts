import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fireSaleDocumentSchema } from '../../src-shared/formats/firesale';
import { exampleFireSale, simulateFireSale } from '../../src-main/api/firesale-services';
import { documentOfSpec, toFireSaleSystem } from '../../src-main/engines/fire-sale-document';
import {
  CASE_STUDY_MAX_LEVERAGE,
  calibrationCount,
  caseStudy1,
  caseStudy2,
  impactMatrix,
  priceOf,
  simulateData,
  solveFireSale,
  type FireSaleSystem,
} from '../../src-main/engines/fire-sales';
import { ebaSovereignFireSale } from '../../src-main/io/eba-firesale';
import { sectionProvider } from '../../src-main/io/briefs/sections';
import type { RunDetail } from '../../src-shared/domain';
import { convergenceWarning } from '../../src-shared/results/fire-sales';

const data = (file: string) => readFileSync(`resources/samples/${file}`, 'utf8');

/** Fraction sold under the leverage target, written out independently of the engine. */
function leverageFraction(holding: number, price: number, liabilities: number, lambda: number): number {
  const equity = holding * price - liabilities;
  if (equity <= 0) return 1;
  return Math.min(1, Math.max(0, 1 - (lambda * equity) / (holding * price)));
}

describe('inverse demand functions (§4.1)', () => {
  it('linear, exponential and arctangent prices are the paper’s formulas, with cross-impact', () => {
    expect(priceOf({ form: 'linear', impact: impactMatrix(1, 0.15) }, [2])[0]).toBeCloseTo(0.7, 15);
    expect(priceOf({ form: 'exponential', impact: impactMatrix(1, 0.15) }, [1.3])[0]).toBeCloseTo(Math.exp(-0.195), 15);
    expect(priceOf({ form: 'arctangent', impact: impactMatrix(1, 1) }, [0.8])[0]).toBeCloseTo(
      (Math.atan(-0.8) + 2 * Math.PI) / (2 * Math.PI),
      15,
    );
    const cross = priceOf({ form: 'linear', impact: impactMatrix(2, 0.15, 0.015) }, [0.5, 0.9]);
    expect(cross[0]).toBeCloseTo(1 - 0.15 * 0.5 - 0.015 * 0.9, 15);
    expect(cross[1]).toBeCloseTo(1 - 0.015 * 0.5 - 0.15 * 0.9, 15);
    expect(priceOf({ form: 'linear', impact: impactMatrix(1, 0.6) }, [2])[0]).toBe(0);
  });
});

describe('fire-sale equilibrium', () => {
  it('case study 1 with equal liabilities matches the closed form of the quadratic fixed point', () => {
    // f = 1 − λ(p − L)/p and p = 1 − 0.3 f  ⇒  p² − (1 − 0.3 + 0.3λ) p − 0.3 λ L = 0 … solved below directly.
    const L = 0.62;
    const lambda = CASE_STUDY_MAX_LEVERAGE;
    // p = 1 − 0.3(1 − λ + λL/p) ⇔ p² − (0.7 + 0.3λ)p + 0.3λL = 0, the greater root.
    const b = 0.7 + 0.3 * lambda;
    const p = (b + Math.sqrt(b * b - 4 * 0.3 * lambda * L)) / 2;
    const result = solveFireSale(caseStudy1('linear').system, { liabilities: [L, L] });
    expect(result.converged).toBe(true);
    expect(result.prices[0]).toBeCloseTo(p, 10);
    expect(result.fractions[0]).toBeCloseTo(1 - lambda + (lambda * L) / p, 10);
  });

  it('case study 1 (linear) jumps to full liquidation where the quadratic loses its roots, for every λ that sells nothing at L = 0.6', () => {
    // Equal liabilities L: the greater root exists while (0.7 + 0.3λ)² ≥ 1.2λL, i.e. up to L* = (0.7 + 0.3λ)²/(1.2λ);
    // above it the greatest equilibrium is full liquidation, p = 0.7. L* lies inside the paper's [0.6, 0.85] for
    // every λ ≥ 2.5 checked here, the λ for which the smallest shock sells nothing (ℓ_min = 0, as eq. (4) assumes);
    // the jump in price, (0.7 + 0.3λ)/2 − 0.7, is smallest at λ = 2.5 (0.025).
    for (const lambda of [2.5, 3, 4]) {
      const system = {
        ...caseStudy1('linear').system,
        strategy: { kind: 'leverage-target' as const, maxLeverage: Float64Array.of(lambda, lambda) },
      };
      const b = 0.7 + 0.3 * lambda;
      const threshold = (b * b) / (1.2 * lambda);
      expect(threshold).toBeGreaterThan(0.6);
      expect(threshold).toBeLessThan(0.85);
      expect(solveFireSale(system, { liabilities: [0.6, 0.6] }).assetLiquidations[0]).toBeCloseTo(0, 12);
      const below = solveFireSale(system, { liabilities: [threshold - 1e-4, threshold - 1e-4] }).prices[0]!;
      const above = solveFireSale(system, { liabilities: [threshold + 1e-4, threshold + 1e-4] }).prices[0]!;
      expect(below).toBeCloseTo(b / 2, 1);
      expect(above).toBeCloseTo(0.7, 12);
      expect(below - above).toBeGreaterThan(b / 2 - 0.7 - 0.01);
    }
  });

  describe('next to the jump of case study 1 (λ = 3)', () => {
    // Closed form. Two banks holding one unit each, o = c = 0, equal liabilities L, leverage cap λ, p = 1 − 0.15ℓ.
    // While a bank sells part of its unit, f = 1 − λ(p − L)/p, so with ℓ = 2f the fixed point p = 1 − 0.3f reads
    // p² − (0.7 + 0.3λ)p + 0.3λL = 0. Its greater root p = (b + √(b² − 1.2λL))/2, b = 0.7 + 0.3λ, is the greatest
    // equilibrium while the discriminant is ≥ 0, i.e. up to L* = b²/(1.2λ) (λ = 3: b = 1.6, L* = 0.7111…, where
    // p = b/2 = 0.8 and f = 2/3 < 1). Above L* the quadratic has no root, so no partial sale is an equilibrium and
    // the greatest one is full liquidation, f = 1, p = 0.7 (the bank is then insolvent or at f = 1 in every case:
    // 1 − λ + λL/p ≥ 1 ⇔ p ≤ L, and 0.7 < L*). At L* − 1e-9 the two roots are 0.8 ± 3e-5 and the plain iteration,
    // whose rate tends to 1 there, stops at its 10,000-step limit at 0.800084.
    const lambda = 3;
    const system: FireSaleSystem = {
      ...caseStudy1('linear').system,
      strategy: { kind: 'leverage-target', maxLeverage: Float64Array.of(lambda, lambda) },
    };
    const b = 0.7 + 0.3 * lambda;
    const jump = (b * b) / (1.2 * lambda);
    const exact = (L: number) => (L <= jump ? (b + Math.sqrt(Math.max(0, b * b - 1.2 * lambda * L))) / 2 : 0.7);

    for (const offset of [-1e-3, -1e-6, -1e-9, 1e-9, 1e-6, 1e-3]) {
      it(`L = L* ${offset < 0 ? '−' : '+'} ${Math.abs(offset)}: the greatest equilibrium to 1e-10 in under 200 steps`, () => {
        const L = jump + offset;
        const result = solveFireSale(system, { liabilities: [L, L] });
        expect(result.converged).toBe(true);
        expect(result.iterations).toBeLessThan(200);
        expect(Math.abs(result.prices[0]! - exact(L))).toBeLessThan(1e-10);
        expect(result.residual).toBeLessThan(1e-10);
        // The reported prices never lie below the greatest equilibrium.
        expect(result.prices[0]!).toBeGreaterThanOrEqual(exact(L) - 1e-15);
      });
    }

    it('the plain iteration, for comparison, stops unconverged at its limit 1e-9 below the jump', () => {
      const L = jump - 1e-9;
      const plain = solveFireSale(system, { liabilities: [L, L] }, { accelerate: false });
      expect(plain.converged).toBe(false);
      expect(plain.iterations).toBe(10_000);
      expect(plain.prices[0]! - exact(L)).toBeGreaterThan(1e-5);
    });

    it('two assets splitting the one of case study 1 (so the same closed form) converge as fast', () => {
      const split: FireSaleSystem = {
        ...system,
        assetIds: ['x', 'y'],
        holdings: Float64Array.of(0.5, 0.5, 0.5, 0.5),
        inverseDemand: { form: 'linear', impact: impactMatrix(2, 0.3) },
      };
      for (const offset of [-1e-9, 1e-9]) {
        const L = jump + offset;
        const result = solveFireSale(split, { liabilities: [L, L] });
        expect(result.converged).toBe(true);
        expect(result.iterations).toBeLessThan(200);
        for (const price of result.prices) expect(Math.abs(price - exact(L))).toBeLessThan(1e-10);
      }
    });
  });

  it('next to the jump of case study 1 with exponential inverse demand (λ = 4): the plain iteration’s equilibrium in under 200 steps', () => {
    // No closed form here; the jump L* ≈ 0.75403 (where the price falls by 0.16) is located by bisection, and the
    // plain iteration, run to 1e-15 (up to 300,000 steps at 1e-9 below), is the reference.
    const system: FireSaleSystem = {
      ...caseStudy1('exponential').system,
      strategy: { kind: 'leverage-target', maxLeverage: Float64Array.of(4, 4) },
    };
    const price = (L: number) => solveFireSale(system, { liabilities: [L, L] }).prices[0]!;
    let low = 0.6;
    let high = 0.85;
    const middle = (price(low) + price(high)) / 2;
    for (let k = 0; k < 60; k++) {
      const mid = (low + high) / 2;
      if (price(mid) > middle) low = mid;
      else high = mid;
    }
    expect(price(low) - price(high)).toBeGreaterThan(0.1);
    for (const L of [low - 1e-6, low - 1e-9, high + 1e-9, high + 1e-6]) {
      const accelerated = solveFireSale(system, { liabilities: [L, L] });
      const plain = solveFireSale(
        system,
        { liabilities: [L, L] },
        { accelerate: false, tolerance: 1e-15, maxIterations: 400_000 },
      );
      expect(plain.converged).toBe(true);
      expect(accelerated.converged).toBe(true);
      expect(accelerated.iterations).toBeLessThan(200);
      expect(Math.abs(accelerated.prices[0]! - plain.prices[0]!)).toBeLessThan(1e-10);
    }
  });

  it('the accelerated iteration finds the plain iteration’s equilibrium on random systems', () => {
    // Random banks (1–6), assets (1–4), forms, strategies, own and cross impacts; where the plain iteration
    // converges (to 1e-15), the accelerated one agrees to 1e-10 and never lies below it.
    const forms = ['linear', 'exponential', 'arctangent'] as const;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 2 }),
        fc.boolean(),
        fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })),
        (nBanks, nAssets, formIndex, leverage, stream) => {
          const draws = stream[Symbol.iterator]();
          const u = () => draws.next().value as number;
          const holdings = Float64Array.from({ length: nBanks * nAssets }, () => (u() < 0.7 ? u() : 0));
          const impact = impactMatrix(
            nAssets,
            Array.from({ length: nAssets }, () => 0.05 + 0.5 * u()),
            0,
          );
          for (let i = 0; i < nAssets * nAssets; i++) if (i % (nAssets + 1) !== 0 && u() < 0.5) impact[i] = 0.05 * u();
          const otherAssets = Float64Array.from({ length: nBanks }, () => (u() < 0.5 ? 0 : u()));
          const liabilities = Float64Array.from({ length: nBanks }, (_, n) => {
            let total = otherAssets[n]!;
            for (let m = 0; m < nAssets; m++) total += holdings[n * nAssets + m]!;
            return (0.3 + 0.9 * u()) * total;
          });
          const system: FireSaleSystem = {
            bankIds: Array.from({ length: nBanks }, (_, n) => `b${n}`),
            assetIds: Array.from({ length: nAssets }, (_, m) => `a${m}`),
            holdings,
            otherAssets,
            cash: Float64Array.from({ length: nBanks }, () => (leverage ? 0 : 0.2 * u())),
            liabilities,
            strategy: leverage
              ? { kind: 'leverage-target', maxLeverage: Float64Array.from({ length: nBanks }, () => 1.5 + 4 * u()) }
              : { kind: 'proportional' },
            inverseDemand: { form: forms[formIndex]!, impact },
          };
          const plain = solveFireSale(system, {}, { accelerate: false, tolerance: 1e-15, maxIterations: 200_000 });
          const accelerated = solveFireSale(system);
          if (!plain.converged) return;
          expect(accelerated.converged).toBe(true);
          for (let m = 0; m < nAssets; m++) {
            expect(Math.abs(accelerated.prices[m]! - plain.prices[m]!)).toBeLessThan(1e-10);
            expect(accelerated.prices[m]!).toBeGreaterThanOrEqual(plain.prices[m]! - 1e-12);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a bank whose holdings are worth nothing sells as at a vanishing value, so prices never rise along the iteration', () => {
    // Asset 2 collapses to price 0 (impact 0.9 per unit); bank 2 holds only asset 2 and sold more as its value fell:
    // it keeps selling all of it (f = 1), so the cross-impact on asset 1 does not lift that price again.
    const system: FireSaleSystem = {
      bankIds: ['b1', 'b2'],
      assetIds: ['a1', 'a2'],
      holdings: Float64Array.of(1, 1, 0, 1.5),
      otherAssets: new Float64Array(2),
      cash: new Float64Array(2),
      liabilities: Float64Array.of(1.2, 1.3),
      strategy: { kind: 'leverage-target', maxLeverage: Float64Array.of(3, 3) },
      inverseDemand: { form: 'linear', impact: Float64Array.of(0.2, 0.05, 0, 0.9) },
    };
    const result = solveFireSale(system, {}, { accelerate: false, recordPath: true });
    expect(result.prices[1]).toBe(0);
    expect(result.fractions[1]).toBe(1);
    const path = result.pricePath.map((row) => row[0]!);
    path.slice(1).forEach((price, k) => expect(price).toBeLessThanOrEqual(path[k]! + 1e-15));
  });

  it('returns a fixed point, and the greatest one (checked by scanning prices)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.6, max: 0.85, noNaN: true }),
        fc.double({ min: 0.6, max: 0.85, noNaN: true }),
        fc.constantFrom('linear', 'exponential', 'arctangent' as const),
        (l1, l2, form) => {
          const { system } = caseStudy1(form);
          const result = solveFireSale(system, { liabilities: [l1, l2] });
          const map = (price: number) =>
            priceOf(system.inverseDemand, [
              leverageFraction(1, price, l1, 2.5) + leverageFraction(1, price, l2, 2.5),
            ])[0]!;
          expect(Math.abs(map(result.prices[0]!) - result.prices[0]!)).toBeLessThan(1e-9);
          // No fixed point above: g(p) = map(p) − p stays negative on (p*, 1].
          for (let k = 1; k <= 400; k++) {
            const price = result.prices[0]! + ((1 - result.prices[0]!) * k) / 400 + 1e-7;
            if (price <= 1) expect(map(price) - price).toBeLessThan(1e-9);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('prices fall and liquidations grow with the shock (monotone)', () => {
    const { system } = caseStudy2(true);
    fc.assert(
      fc.property(
        fc.double({ min: 0.6, max: 0.9, noNaN: true }),
        fc.double({ min: 0.6, max: 0.9, noNaN: true }),
        fc.double({ min: 0, max: 0.05, noNaN: true }),
        (l1, l2, bump) => {
          const low = solveFireSale(system, { liabilities: [l1, l2] });
          const high = solveFireSale(system, { liabilities: [l1 + bump, l2] });
          for (let m = 0; m < 2; m++) {
            expect(high.prices[m]!).toBeLessThanOrEqual(low.prices[m]! + 1e-12);
            expect(high.assetLiquidations[m]!).toBeGreaterThanOrEqual(low.assetLiquidations[m]! - 1e-12);
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  it('case study 2 sells pro rata: ℓ_m = Σ_n f_n a_nm, and p₁ = 1 − 0.15ℓ₁ − 0.015ℓ₂', () => {
    const { system } = caseStudy2(true);
    const result = solveFireSale(system, { liabilities: [0.7, 0.8] });
    const [f1, f2] = result.fractions;
    expect(result.assetLiquidations[0]).toBeCloseTo(0.4 * f1! + 0.6 * f2!, 12);
    expect(result.assetLiquidations[1]).toBeCloseTo(0.6 * f1! + 0.4 * f2!, 12);
    expect(result.prices[0]).toBeCloseTo(
      1 - 0.15 * result.assetLiquidations[0]! - 0.015 * result.assetLiquidations[1]!,
      10,
    );
  });

  it('proportional strategy sells what pays the liabilities not covered by cash', () => {
    const system: FireSaleSystem = {
      ...caseStudy1('linear').system,
      strategy: { kind: 'proportional' },
      cash: Float64Array.from([0.1, 0.3]),
      liabilities: Float64Array.from([0.4, 0.2]),
    };
    const result = solveFireSale(system);
    const p = result.prices[0]!;
    expect(result.fractions[0]).toBeCloseTo((0.4 - 0.1) / p, 10);
    expect(result.fractions[1]).toBe(0);
    expect(p).toBeCloseTo(1 - 0.15 * result.fractions[0]!, 10);
  });

  it('Eisenberg–Noe coupling: no interbank claims changes nothing; a defaulting debtor deepens the fire sale', () => {
    const base = exampleFireSale('case1-linear');
    const scenario = { liabilities: { 'bank 1': 0.7, 'bank 2': 0.8 } };
    const plain = simulateFireSale(fireSaleDocumentSchema.parse({ ...base, scenario }));
    const empty = simulateFireSale(fireSaleDocumentSchema.parse({ ...base, scenario, interbank: [] }));
    expect(empty.prices).toEqual(plain.prices);
    // Bank 2 owes bank 1 0.3 (part of its liabilities 0.8); bank 1 (liabilities 0.6) holds that claim. Checked
    // by hand at the engine's price p: bank 2 pays the ratio r = min(1, p/0.88) of its debts.
    const coupled = simulateFireSale(
      fireSaleDocumentSchema.parse({
        ...base,
        banks: base.banks.map((b) => ({ ...b, liabilities: b.id === 'bank 1' ? 0.6 : 0.88 })),
        interbank: [{ debtor: 'bank 2', creditor: 'bank 1', amount: 0.3 }],
        scenario: { liabilities: { 'bank 1': 0.6, 'bank 2': 0.88 } },
      }),
    );
    expect(coupled.converged).toBe(true);
    const p = coupled.prices[0]!;
    const claim = 0.3 * Math.min(1, p / 0.88);
    const equity1 = p + claim - 0.6;
    const f1 = Math.min(1, Math.max(0, 1 - (2.5 * equity1 - claim) / p));
    const f2 = leverageFraction(1, p, 0.88, 2.5);
    expect(coupled.fractions[0]).toBeCloseTo(f1, 9);
    expect(coupled.fractions[1]).toBeCloseTo(f2, 9);
    expect(p).toBeCloseTo(1 - 0.15 * (f1 + f2), 9);
    expect(coupled.defaulted[1]).toBe(true);
    expect(coupled.losses[0]).toBeCloseTo(1 - p + (0.3 - claim), 9);
  });
});

describe('data simulation (§4)', () => {
  it('is reproducible for a seed, converges, and calibrates eq. (4) on a Latin hypercube of equilibria', () => {
    const a = simulateData(caseStudy1('linear'), 50, 7);
    const b = simulateData(caseStudy1('linear'), 50, 7);
    expect(Array.from(a.prices)).toEqual(Array.from(b.prices));
    expect(a.allConverged).toBe(true);
    const { count, shocks, liquidations } = a.calibration;
    expect(count).toBe(calibrationCount(1));
    for (let n = 0; n < 2; n++) {
      // every bank's shock visits each of the `count` strata of [0.6, 0.85] exactly once
      const strata = Array.from({ length: count }, (_, k) =>
        Math.floor(((shocks[2 * k + n]! - 0.6) / 0.25) * count),
      ).sort((x, y) => x - y);
      expect(strata).toEqual(Array.from({ length: count }, (_, k) => k));
    }
    for (let k = 0; k < count; k++) {
      expect(liquidations[k]).toBeCloseTo(
        solveFireSale(caseStudy1('linear').system, { liabilities: shocks.subarray(2 * k, 2 * k + 2) })
          .assetLiquidations[0]!,
        12,
      );
    }
    for (let s = 0; s < 50; s++) {
      expect(a.shocks[2 * s]!).toBeGreaterThanOrEqual(0.6);
      expect(a.shocks[2 * s]!).toBeLessThanOrEqual(0.85);
      expect(a.prices[s]).toBeCloseTo(1 - 0.15 * a.liquidations[s]!, 10);
      expect(a.liquidations[s]).toBeCloseTo(a.fractions[2 * s]! + a.fractions[2 * s + 1]!, 12);
    }
  });
});

describe('what is shown with an equilibrium or a reproduction', () => {
  it('an unconverged equilibrium carries a warning in words; a converged one none', () => {
    const L = 0.7111111111111111 - 1e-9;
    const system: FireSaleSystem = {
      ...caseStudy1('linear').system,
      strategy: { kind: 'leverage-target', maxLeverage: Float64Array.of(3, 3) },
    };
    const plain = solveFireSale(system, { liabilities: [L, L] }, { accelerate: false, maxIterations: 500 });
    expect(convergenceWarning(plain)).toMatch(
      /^The price iteration stopped after 500 steps without converging \(largest change \d\.\de-\d+\); treat these prices as approximate\.$/,
    );
    expect(convergenceWarning(solveFireSale(system, { liabilities: [L, L] }))).toBeNull();
  });

  it('the reproduction brief states the bound of the paper’s network beside the published 0.9992', async () => {
    const rows = [
      {
        table: '3',
        dataset: 'linear',
        model: 'Proposed Model',
        metric: 'corr(ℓ̂, ℓ)',
        measured: 0.9993,
        published: 0.9999,
      },
      {
        table: '3',
        dataset: 'arctangent',
        model: 'Proposed Model',
        metric: 'corr(ℓ̂, ℓ)',
        measured: 0.9792,
        published: 0.9992,
      },
    ];
    const run = {
      id: 1,
      kind: 'idf-reproduce',
      method: 'dual network',
      seed: 1,
      params: {},
      results: { seed: 1, rows },
      error: null,
    } as unknown as RunDetail;
    const section = await sectionProvider('idf-reproduce').describe({ run, learningBackend: null });
    const table = section.tables.find((t) => t.rows.some((row) => row.includes('arctangent')))!;
    expect(table.note).toContain("published 0.9992; the paper's network can reach about 0.9706 at most");
    expect(section.method.join(' ')).toContain('can only bend one way');
  });
});

describe('firesale@1 documents and the EBA instance', () => {
  it('round-trips the case studies and names unknown ids', () => {
    const doc = fireSaleDocumentSchema.parse(documentOfSpec(caseStudy2(true), 'cs2'));
    const system = toFireSaleSystem(doc);
    expect(Array.from(system.inverseDemand.impact)).toEqual(Array.from(caseStudy2(true).system.inverseDemand.impact));
    expect(Array.from(system.holdings)).toEqual([0.4, 0.6, 0.6, 0.4]);
    const bad = fireSaleDocumentSchema.safeParse({ ...doc, holdings: [{ bank: 'bank 1', asset: 'gold', units: 1 }] });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['holdings', 0, 'asset']);
    expect(bad.error!.issues[0]!.message).toContain('gold');
  });

  it('calibrates linear impact from average daily volume: B = κ / ADV', () => {
    const { document, volumes } = ebaSovereignFireSale(
      data('eba-2011-sovereign-holdings.csv'),
      data('sovereign-average-daily-volume.csv'),
      { impactPerDailyVolume: 0.0025, year: 2011 },
    );
    expect(volumes.DE).toBeCloseTo(24539.6825396825, 6);
    expect(document.assets.find((a) => a.id === 'DE')!.impact).toBeCloseTo(0.0025 / 24539.6825396825, 15);
    // The rest of the world's volume is shared by holdings, so it sums back to the total.
    const rest = Object.entries(volumes).filter(([id]) => !['DE', 'ES', 'FR', 'IT', 'JP', 'GB', 'US'].includes(id));
    expect(rest.reduce((sum, [, v]) => sum + v, 0)).toBeCloseTo(53558.6340972825, 4);
    const at001 = document.banks.find((b) => b.id === 'AT001')!;
    expect(at001.liabilities + 9283).toBeCloseTo(222289.920504759, 6); // TOT_EXP − EQUITY
    const outcome = simulateFireSale(fireSaleDocumentSchema.parse(document));
    expect(outcome.converged).toBe(true);
    expect(outcome.prices.every((p) => p > 0 && p <= 1)).toBe(true);
  });
});
