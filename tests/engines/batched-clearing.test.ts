import { describe, expect, it } from 'vitest';
import {
  clearBlock,
  complementShare,
  createBatchWorkspace,
  FIXED_POINT_TOLERANCE,
  prefersBatchedClearing,
  type BatchOptions,
  type BatchWorkspace,
} from '../../src-main/engines/batched-clearing';
import {
  clearInto,
  clearPicard,
  createWorkspace,
  productForm,
  recoveryRates,
  type ClearingOptions,
} from '../../src-main/engines/clearing';
import { fromDenseLiabilities, toClearingSystem, type ClearingSystem } from '../../src-main/engines/network-arrays';
import { Rng } from '../../src-main/engines/random';
import { sampleShocks } from '../../src-main/engines/shocks';
import { mergeStressPartials, runStressBatch } from '../../src-main/engines/stress';
import { randomSparseNetwork } from '../../src-main/engines/synthetic';
import { ebaMaxentNetwork } from '../support/eba';
import { gaussSolve } from '../support/policy';

const dense = (n: number, seed: number) => toClearingSystem(randomSparseNetwork(n, n - 1, seed));
const sparse = (n: number, seed: number) => toClearingSystem(randomSparseNetwork(n, 4, seed));

/**
 * A dense network in a ring: 95% of each bank's liabilities are interbank, and about 95% of those are owed to the
 * bank before it (the rest spread over all others); net worth is thin. A default set's A_DD then holds a chain with
 * links near 0.9 that points against the order Gauss–Seidel visits the banks in, so it contracts slowly and the
 * round is solved by its LU.
 */
function ring(n: number, seed: number): ClearingSystem {
  const rng = new Rng(seed, 0);
  const pbar = new Float64Array(n * n);
  const outsideAssets = new Float64Array(n);
  const outsideLiabilities = new Float64Array(n);
  const claims = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const size = 100 * (1 + rng.uniform());
    const before = (i + n - 1) % n;
    const weights = Array.from({ length: n }, (_, j) => (j === i ? 0 : j === before ? 9 * (n - 2) : rng.uniform()));
    const total = weights.reduce((a, b) => a + b, 0);
    weights.forEach((w, j) => (pbar[i * n + j] = (0.95 * size * w) / total));
    outsideLiabilities[i] = 0.05 * size;
    weights.forEach((_, j) => (claims[j]! += pbar[i * n + j]!));
  }
  for (let i = 0; i < n; i++) {
    let owed = outsideLiabilities[i]!;
    for (let j = 0; j < n; j++) owed += pbar[i * n + j]!;
    outsideAssets[i] = Math.max(0, owed - claims[i]!) + 0.03 * owed + 5; // net worth 3% of what it owes, plus 5
  }
  const ids = Array.from({ length: n }, (_, i) => `K${i + 1}`);
  return fromDenseLiabilities(ids, pbar, outsideAssets, outsideLiabilities);
}

function maxObligation(system: ClearingSystem): number {
  return Math.max(...system.totalObligations);
}

/** Clears `count` scenarios in blocks; returns the workspace rows copied out, scenario-major. */
function clearAll(
  system: ClearingSystem,
  shocks: Float64Array,
  count: number,
  options: ClearingOptions & Pick<BatchOptions, 'blockSize' | 'scenarios' | 'shared'> = {},
) {
  const n = system.nBanks;
  const bw = createBatchWorkspace(system, options);
  const payments = new Float64Array(count * n);
  const loss = new Float64Array(count);
  const residual = new Float64Array(count);
  const defaults: number[][] = [];
  let swept = 0;
  let iterativeRounds = 0;
  let factoredRounds = 0;
  let screenedRounds = 0;
  let complementScenarios = 0;
  let survivorFactors = 0;
  let boundDefaults = 0;
  let picardSteps = 0;
  for (let first = 0; first < count; first += bw.blockSize) {
    const size = Math.min(bw.blockSize, count - first);
    clearBlock(bw, shocks.subarray(first * n, (first + size) * n), size);
    swept += bw.sweptScenarios;
    iterativeRounds += bw.iterativeRounds;
    factoredRounds += bw.factoredRounds;
    screenedRounds += bw.screenedRounds;
    complementScenarios += bw.complementScenarios;
    survivorFactors += bw.survivorFactors;
    boundDefaults += bw.boundDefaults;
    picardSteps += bw.picardSteps;
    for (let s = 0; s < size; s++) {
      payments.set(bw.payments.subarray(s * n, (s + 1) * n), (first + s) * n);
      loss[first + s] = bw.loss[s]!;
      residual[first + s] = bw.residual[s]!;
      defaults.push(Array.from(bw.defaultList.subarray(s * n, s * n + bw.nDefaults[s]!)).sort((a, b) => a - b));
    }
  }
  return {
    payments,
    loss,
    residual,
    defaults,
    swept,
    iterativeRounds,
    factoredRounds,
    screenedRounds,
    complementScenarios,
    survivorFactors,
    boundDefaults,
    picardSteps,
    bw,
  };
}

/** The batched results under uniform shocks up to `fraction` against the per-scenario engine and Picard iteration. */
function expectSameAsPerScenario(
  system: ClearingSystem,
  fraction: number,
  count: number,
  options: ClearingOptions & { scenarios?: number } = {},
) {
  const shocks = sampleShocks(system, { kind: 'uniform', maxFraction: fraction }, 7, 0, count);
  const batched = clearAll(system, shocks, count, options);
  expectSameResults(system, shocks, batched, options);
  return batched;
}

/**
 * max_i |Φ_i(p) − p_i| / max_i p̄_i at the payments p of scenario s, with Aᵀp summed here over every debtor: the
 * residual the batched engine claims, computed without its shortcuts (the gathered block, the survivors' bound).
 */
function fixedPointResidual(
  system: ClearingSystem,
  shocks: Float64Array,
  payments: Float64Array,
  s: number,
  options: ClearingOptions,
): number {
  const n = system.nBanks;
  const { alpha, beta } = recoveryRates(options);
  let worst = 0;
  for (let i = 0; i < n; i++) {
    let inflow = 0;
    for (let j = 0; j < n; j++) inflow += payments[s * n + j]! * system.relative[j * n + i]!;
    const cash = system.outsideAssets[i]! - shocks[s * n + i]!;
    const owed = system.totalObligations[i]!;
    const phi = cash + inflow >= owed ? owed : Math.max(0, alpha * cash + beta * inflow);
    worst = Math.max(worst, Math.abs(phi - payments[s * n + i]!));
  }
  return worst / maxObligation(system);
}

/** The results of `clearAll` against the per-scenario engine and Picard iteration from p̄ (independent). */
function expectSameResults(
  system: ClearingSystem,
  shocks: Float64Array,
  batched: ReturnType<typeof clearAll>,
  options: ClearingOptions = {},
): void {
  const n = system.nBanks;
  const count = batched.loss.length;
  const ws = createWorkspace(system, options);
  const scale = maxObligation(system);
  for (let s = 0; s < count; s++) {
    clearInto(ws, shocks, s * n, true, s);
    const picard = clearPicard(system, shocks, { ...options, offset: s * n, tolerance: 1e-15 });
    expect(picard.converged).toBe(true);
    let engineGap = 0;
    let picardGap = 0;
    for (let i = 0; i < n; i++) {
      engineGap = Math.max(engineGap, Math.abs(batched.payments[s * n + i]! - ws.payments[i]!));
      picardGap = Math.max(picardGap, Math.abs(batched.payments[s * n + i]! - picard.payments[i]!));
    }
    expect(engineGap / scale).toBeLessThan(1e-9);
    expect(picardGap / scale).toBeLessThan(1e-9);
    expect(batched.residual[s]).toBeLessThanOrEqual(FIXED_POINT_TOLERANCE);
    expect(fixedPointResidual(system, shocks, batched.payments, s, options)).toBeLessThanOrEqual(FIXED_POINT_TOLERANCE);
    expect(batched.defaults[s]).toEqual(Array.from(ws.defaultList.subarray(0, ws.nDefaults)).sort((a, b) => a - b));
    expect(Math.abs(batched.loss[s]! - ws.loss)).toBeLessThanOrEqual(1e-10 * Math.max(ws.loss, 1));
  }
}

describe('batched clearing', () => {
  it('on a random dense network equals the per-scenario engine and Picard iteration, by exact rounds at small shocks', () => {
    const system = dense(120, 11);
    expect(productForm(system)).toBeNull();
    const result = expectSameAsPerScenario(system, 0.1, 40);
    expect(result.bw.dense).toBe(true);
    expect(result.swept).toBe(0);
    expect(result.defaults.some((d) => d.length > 0)).toBe(true);
    expect(result.iterativeRounds).toBeGreaterThan(0);
    // contagion after the first round found from the banks at risk, without recomputing Aᵀp
    expect(result.screenedRounds).toBeGreaterThan(0);
  });

  it('solves a default set without contagion to the full precision although its first round only screens', () => {
    // five banks wiped out per scenario: the first round's loose solve marks nobody, so the same set is solved again
    const system = dense(120, 11);
    const n = system.nBanks;
    const count = 12;
    const wiped = 5;
    const shocks = new Float64Array(count * n);
    for (let s = 0; s < count; s++)
      for (let k = 0; k < wiped; k++) shocks[s * n + 10 * s + k] = system.outsideAssets[10 * s + k]!;
    const batched = clearAll(system, shocks, count);
    expectSameResults(system, shocks, batched);
    const alone = batched.defaults.filter((d) => d.length === wiped).length;
    expect(alone).toBeGreaterThanOrEqual(3);
    expect(batched.swept).toBe(0);
    expect(Math.max(...batched.residual)).toBeLessThanOrEqual(FIXED_POINT_TOLERANCE);
  });

  it('solves a slowly contracting default set by its LU instead of Gauss–Seidel, with the same results', () => {
    const system = ring(60, 21);
    const result = expectSameAsPerScenario(system, 0.6, 30);
    expect(result.factoredRounds).toBeGreaterThan(0);
    expect(result.defaults.some((d) => d.length > 5)).toBe(true);
  });

  it('on a random dense network under large shocks (most banks default: column sweeps) equals both references', () => {
    const system = dense(120, 12);
    const result = expectSameAsPerScenario(system, 1, 40);
    expect(result.swept).toBeGreaterThan(0);
    expect(result.defaults.reduce((sum, d) => sum + d.length, 0) / 40).toBeGreaterThan(60);
  });

  it('on a random sparse network (CSR rows) equals both references at small and large shocks', () => {
    const system = sparse(300, 13);
    const small = expectSameAsPerScenario(system, 0.1, 30);
    const large = expectSameAsPerScenario(system, 1, 30);
    expect(small.bw.dense).toBe(false);
    expect(large.swept).toBeGreaterThan(0);
  });

  it('with Rogers–Veraart default costs (α = 0.6, β = 0.8) equals both references', () => {
    expectSameAsPerScenario(dense(80, 14), 0.3, 30, { alpha: 0.6, beta: 0.8 });
    expectSameAsPerScenario(sparse(150, 15), 0.6, 30, { alpha: 0.6, beta: 0.8 });
  });

  it('on the EBA 2011 network (maximum entropy) equals the product-form engine and Picard iteration', () => {
    const system = toClearingSystem(ebaMaxentNetwork());
    expect(productForm(system)).not.toBeNull();
    expectSameAsPerScenario(system, 0.3, 60);
    expectSameAsPerScenario(system, 1, 60);
  });

  it('clears each scenario the same whatever block it is in (bit for bit)', () => {
    const system = dense(90, 16);
    const shocks = sampleShocks(system, { kind: 'uniform', maxFraction: 0.7 }, 3, 0, 24);
    const one = clearAll(system, shocks, 24, { blockSize: 24 });
    const many = clearAll(system, shocks, 24, { blockSize: 5 });
    expect(Array.from(many.payments)).toEqual(Array.from(one.payments));
    expect(Array.from(many.loss)).toEqual(Array.from(one.loss));
  });

  it('clears a block whose scenarios have very different default sets, and blocks of one scenario, alike', () => {
    const system = dense(130, 21);
    const n = system.nBanks;
    // no shock (left at zero), small shocks (exact rounds), large (most banks default: sweeps), and two between
    const fractions = [0, 0.1, 1, 0.4, 0.2];
    const shocks = new Float64Array(fractions.length * n);
    fractions.forEach((fraction, s) => {
      if (fraction > 0) shocks.set(sampleShocks(system, { kind: 'uniform', maxFraction: fraction }, 9, s, 1), s * n);
    });
    const together = clearAll(system, shocks, fractions.length, { blockSize: fractions.length });
    expectSameResults(system, shocks, together);
    const sizes = together.defaults.map((d) => d.length);
    expect(sizes[0]).toBe(0);
    expect(new Set(sizes).size).toBe(fractions.length);
    expect(Math.max(...sizes)).toBeGreaterThan(n / 2);
    expect(together.swept).toBeGreaterThan(0);
    expect(together.iterativeRounds).toBeGreaterThan(0);
    expect(together.screenedRounds).toBeGreaterThan(0);
    const alone = clearAll(system, shocks, fractions.length, { blockSize: 1 });
    expect(Array.from(alone.payments)).toEqual(Array.from(together.payments));
    expect(alone.defaults).toEqual(together.defaults);
  });

  it('shares the survivors’ solver among the shards of a run: one LU of K, each column once, the same digits', () => {
    const system = dense(240, 23);
    const n = system.nBanks;
    const count = 60;
    const half = count / 2;
    const shocks = sampleShocks(system, { kind: 'uniform', maxFraction: 1 }, 4, 0, count);
    const alone = clearAll(system, shocks, count, { scenarios: count });
    const share = complementShare(system, 2)!;
    expect(share.state[0]).toBe(0);
    const shard = (k: number) =>
      clearAll(system, shocks.subarray(k * half * n, (k + 1) * half * n), half, {
        scenarios: count,
        shared: { share, shard: k },
      });
    const [first, second] = [shard(0), shard(1)];
    expect(share.state[0]).toBe(2); // factorised, once
    expect(Array.from(first.payments)).toEqual(Array.from(alone.payments.subarray(0, half * n)));
    expect(Array.from(second.payments)).toEqual(Array.from(alone.payments.subarray(half * n)));
    expect(first.complementScenarios + second.complementScenarios).toBe(alone.complementScenarios);
    expect(alone.complementScenarios).toBe(count);
    // every column of K⁻¹ the shards needed was solved by one of them only, into the shared store
    const solved = share.state.subarray(1).filter((state) => state === 2).length;
    const solves = first.bw.complement!.inverse.solves + second.bw.complement!.inverse.solves;
    expect(solved).toBeGreaterThan(0);
    expect(solves).toBe(solved);
    expect(second.bw.complement!.inverse.solves).toBeLessThan(solved);
    // a share is for runs of several shards the batched engine clears
    expect(complementShare(system, 1)).toBeUndefined();
    expect(complementShare(sparse(240, 23), 2)).toBeUndefined();
  });

  it('solves large default sets through the survivors when the run is long enough, equal to both references', () => {
    const system = dense(240, 23);
    const n = system.nBanks;
    // a run of one scenario (under one per 100 banks) keeps the column sweeps; a longer one factorises I − βAᵀ once
    // and needs no sweep
    const alone = expectSameAsPerScenario(system, 1, 1, { scenarios: 1 });
    expect(alone.complementScenarios).toBe(0);
    expect(alone.swept).toBe(1);
    expect(expectSameAsPerScenario(system, 1, 3, { scenarios: 3 }).complementScenarios).toBe(3);
    const result = expectSameAsPerScenario(system, 1, 40, { scenarios: 40 });
    expect(result.complementScenarios).toBe(40);
    expect(result.swept).toBe(0);
    // every survivors' system solved by Gauss–Seidel, none factorised
    expect(result.survivorFactors).toBe(0);
    expect(result.defaults.every((d) => d.length > n / 2)).toBe(true);
    // default sets that outgrow the Gauss–Seidel rounds midway, and default costs
    const middle = expectSameAsPerScenario(system, 0.2, 40, { scenarios: 40 });
    expect(middle.complementScenarios).toBeGreaterThan(0);
    expect(middle.iterativeRounds).toBeGreaterThan(0);
    const costly = expectSameAsPerScenario(system, 0.8, 30, { scenarios: 30, alpha: 0.6, beta: 0.8 });
    expect(costly.complementScenarios).toBeGreaterThan(0);
    // the ring: 95% of liabilities interbank, so I − Aᵀ is nearly singular and the survivors' system ill-conditioned
    // where Gauss–Seidel on the survivors' system contracts too slowly, each gives way to the LU
    const ringResult = expectSameAsPerScenario(ring(120, 24), 1, 30, { scenarios: 30 });
    expect(ringResult.complementScenarios).toBeGreaterThan(0);
    expect(ringResult.survivorFactors).toBe(ringResult.complementScenarios);
    expect(middle.survivorFactors + costly.survivorFactors).toBe(0);
  });

  it('marks by the bound through K⁻¹ only banks that default at the clearing vector, most of the defaults at F = 1', () => {
    const system = dense(240, 23);
    const n = system.nBanks;
    const count = 24;
    for (const options of [{}, { alpha: 0.6, beta: 0.8 }]) {
      const { beta } = recoveryRates(options);
      const shocks = sampleShocks(system, { kind: 'uniform', maxFraction: 1 }, 3, 0, count);
      const result = clearAll(system, shocks, count, { ...options, scenarios: count });
      expectSameResults(system, shocks, result, options);
      // the bound, solved here by Gaussian elimination: u = (I − βAᵀ)⁻¹ (e + (1 − β) Aᵀp̄), and bank i insolvent
      // at the clearing vector where e_i + (u_i − e'_i)/β < p̄_i
      const matrix = Array.from({ length: n }, (_, i) =>
        Array.from({ length: n }, (_, j) => (i === j ? 1 : 0) - beta * system.relative[j * n + i]!),
      );
      let marked = 0;
      let contagion = 0; // defaults beyond the banks that their own shock makes insolvent
      for (let s = 0; s < count; s++) {
        const cash = Array.from({ length: n }, (_, i) => system.outsideAssets[i]! - shocks[s * n + i]!);
        const raised = cash.map((e, i) => e + (1 - beta) * system.interbankAssets[i]!);
        const bound = gaussSolve(matrix, raised);
        const own = Array.from({ length: n }, (_, i) => shocks[s * n + i]! > system.netWorth[i]!);
        expect(2 * own.filter(Boolean).length).toBeGreaterThan(n); // screened before any round
        const defaults = new Set(result.defaults[s]);
        contagion += defaults.size - own.filter(Boolean).length;
        for (let i = 0; i < n; i++) {
          if (own[i] || cash[i]! + (bound[i]! - raised[i]!) / beta >= system.totalObligations[i]! - 1e-6) continue;
          expect(defaults.has(i)).toBe(true);
          marked++;
        }
      }
      expect(result.boundDefaults).toBe(marked);
      // without the cost of default the bound is tight: it leaves the survivors' rounds almost nothing to find
      expect(marked).toBeGreaterThan(0);
      if (beta === 1) expect(marked).toBeGreaterThan(0.95 * contagion);
    }
  });

  it('takes Picard steps for the block first where a quarter to a half of the banks default on their own shocks', () => {
    const system = dense(240, 13);
    const n = system.nBanks;
    const shocks = sampleShocks(system, { kind: 'uniform', maxFraction: 0.3 }, 7, 0, 40);
    const own = Array.from(
      { length: 40 },
      (_, s) => Array.from({ length: n }, (_, i) => shocks[s * n + i]! > system.netWorth[i]!).filter(Boolean).length,
    );
    const stepped = own.filter((d) => d > n / 4 && 2 * d <= n).length;
    expect(stepped).toBeGreaterThan(20);
    // a short run: no survivors' solver, so the default sets are solved by Gauss–Seidel rounds
    const result = expectSameAsPerScenario(system, 0.3, 40);
    expect(result.complementScenarios).toBe(0);
    expect(result.picardSteps).toBeGreaterThanOrEqual(stepped);
    // the steps leave the rounds little to find: under two Gauss–Seidel rounds per scenario (2.6 without them)
    expect(result.iterativeRounds).toBeLessThan(2 * 40);
  });

  it('screens default sets past 40% of the banks through K⁻¹ before any round in a long run, instead of Picard steps', () => {
    const system = dense(240, 13);
    const n = system.nBanks;
    const count = 40;
    const shocks = sampleShocks(system, { kind: 'uniform', maxFraction: 0.3 }, 7, 0, count);
    const own = Array.from(
      { length: count },
      (_, s) => Array.from({ length: n }, (_, i) => shocks[s * n + i]! > system.netWorth[i]!).filter(Boolean).length,
    );
    const screened = own.filter((d) => d > 0.4 * n).length;
    expect(screened).toBeGreaterThan(30);
    // a short run (no survivors' solver) takes Picard steps for them; a long one marks their contagion by the bound
    // and solves them through the survivors, with no step and no Gauss–Seidel round on D
    const short = expectSameAsPerScenario(system, 0.3, count);
    expect(short.picardSteps).toBeGreaterThanOrEqual(screened);
    const long = expectSameAsPerScenario(system, 0.3, count, { scenarios: 400 });
    expect(long.complementScenarios).toBeGreaterThanOrEqual(screened);
    expect(long.picardSteps).toBeLessThanOrEqual(count - screened);
    expect(long.boundDefaults).toBeGreaterThan(0);
    expect(long.swept).toBe(0);
  });

  it('keeps a default set past half of the banks in Gauss–Seidel rounds while its survivors would cost more', () => {
    const system = dense(240, 13);
    const n = system.nBanks;
    // about 54% of the banks default: past half, where the survivors' solver is considered, but |S| ≥ ¾|D| (and
    // |S|³ ≥ 40·|D|² for those not screened through K⁻¹ before their rounds)
    const result = expectSameAsPerScenario(system, 0.22, 32, { scenarios: 400 });
    const pastHalf = result.defaults.filter((d) => d.length > n / 2).length;
    expect(pastHalf).toBeGreaterThan(8);
    expect(result.complementScenarios).toBeLessThan(pastHalf / 2);
    expect(result.swept).toBe(0);
  });

  it('solves the survivors of each scenario the same whatever block it is in (bit for bit)', () => {
    const system = dense(130, 21);
    const shocks = sampleShocks(system, { kind: 'uniform', maxFraction: 0.9 }, 5, 0, 12);
    const together = clearAll(system, shocks, 12, { blockSize: 12, scenarios: 12 });
    const alone = clearAll(system, shocks, 12, { blockSize: 1, scenarios: 12 });
    expect(together.complementScenarios).toBe(12);
    expect(Array.from(alone.payments)).toEqual(Array.from(together.payments));
    expect(alone.defaults).toEqual(together.defaults);
  });

  it('refuses a block larger than its workspace in one line', () => {
    const system = dense(10, 17);
    const bw: BatchWorkspace = createBatchWorkspace(system, { blockSize: 2 });
    expect(() => clearBlock(bw, new Float64Array(30), 3)).toThrow(/at most 2 scenarios of 10 banks, got 3/);
  });
});

describe('stress test on batched clearing', () => {
  it('is chosen for dense networks without product form only', () => {
    expect(prefersBatchedClearing(dense(220, 18))).toBe(true);
    expect(prefersBatchedClearing(dense(220, 18), { exactPath: 'general' })).toBe(false);
    expect(prefersBatchedClearing(sparse(400, 19))).toBe(false);
    expect(prefersBatchedClearing(toClearingSystem(ebaMaxentNetwork()))).toBe(false);
  });

  it('gives the per-scenario result, and shards merge to the single run', () => {
    const system = dense(220, 20);
    const model = { kind: 'uniform' as const, maxFraction: 0.4 };
    const batched = runStressBatch(system, model, 5, 0, 90);
    const reference = runStressBatch(system, model, 5, 0, 90, undefined, { exactPath: 'general' });
    expect(Array.from(batched.defaultCounts)).toEqual(Array.from(reference.defaultCounts));
    expect(Array.from(batched.defaultsHistogram)).toEqual(Array.from(reference.defaultsHistogram));
    expect(batched.contagionDefaults).toBeGreaterThan(0);
    expect(batched.batchedScenarios).toBe(90);
    expect(reference.batchedScenarios).toBe(0);
    expect(batched.maxFixedPointResidual).toBeLessThanOrEqual(FIXED_POINT_TOLERANCE);
    expect(Math.abs(batched.sumLoss - reference.sumLoss)).toBeLessThan(1e-12 * reference.sumLoss);
    expect(Math.abs(batched.sumShortfall - reference.sumShortfall)).toBeLessThan(1e-9 * reference.sumLoss);
    for (let i = 0; i < system.nBanks; i++) {
      expect(Math.abs(batched.lossContribution[i]! - reference.lossContribution[i]!)).toBeLessThan(
        1e-9 * reference.sumLoss,
      );
    }
    expect(batched.largestLoss?.scenario).toBe(reference.largestLoss?.scenario);
    const merged = mergeStressPartials([
      runStressBatch(system, model, 5, 37, 53),
      runStressBatch(system, model, 5, 0, 37),
    ]);
    expect(Array.from(merged.defaultCounts)).toEqual(Array.from(batched.defaultCounts));
    expect(Math.abs(merged.sumLoss - batched.sumLoss)).toBeLessThan(1e-12 * batched.sumLoss);
    expect(merged.largestLoss?.scenario).toBe(batched.largestLoss?.scenario);
  });

  it('clears the shards of a long run with the solver of the whole run, so they merge to it digit for digit', () => {
    const system = dense(240, 23);
    const model = { kind: 'uniform' as const, maxFraction: 1 };
    const single = runStressBatch(system, model, 5, 0, 4); // 4 scenarios × 100 ≥ 240 banks: the survivors' solve
    // a shard of one on its own would keep the sweeps (1 × 100 < 240, and its digits differ in the last places);
    // told the run's size, it solves as the run does
    const shards = [0, 1, 2, 3].map((first) =>
      runStressBatch(system, model, 5, first, 1, undefined, { runScenarios: 4 }),
    );
    const merged = mergeStressPartials(shards);
    expect(Array.from(merged.defaultCounts)).toEqual(Array.from(single.defaultCounts));
    expect(merged.largestLoss?.scenario).toBe(single.largestLoss?.scenario);
    expect(merged.largestLoss?.loss).toBe(single.largestLoss?.loss);
    expect(merged.maxFixedPointResidual).toBe(single.maxFixedPointResidual);
    expect(merged.sumLoss).toBe(single.sumLoss);
  });
});
