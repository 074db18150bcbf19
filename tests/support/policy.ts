/**
 * Policy-lab fixtures: random economies in the paper's setting (each intermediary must raise funds by selling;
 * positive definite H^ℓ, positive semi-definite Γ) and the independent references the tests and the benchmark
 * compare τ* against: a plain Nelder–Mead maximiser, Gaussian elimination and a maximiser of quadratic functions
 * from central differences.
 */
import { Rng } from '../../src-main/engines/random';
import type { PolicyEconomy, UncertaintySpec } from '../../src-main/engines/policy-lab';

/** A random economy with nInt intermediaries, nAssets assets and nConstraints (≤ nAssets) rollover constraints each. */
export function randomPolicyEconomy(
  seed: number,
  nInt: number,
  nAssets: number,
  nConstraints = 1,
  withExAnte = false,
): PolicyEconomy {
  const rng = new Rng(seed, 0);
  const u = (lo: number, hi: number) => lo + (hi - lo) * rng.uniform();
  const n = nAssets;
  const spd = (scale: number) => {
    // B Bᵀ + scale·I with a small random B: symmetric positive definite
    const b = Array.from({ length: n * n }, () => u(-1, 1) * scale * 0.3);
    const out = new Float64Array(n * n);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        let sum = r === c ? scale : 0;
        for (let k = 0; k < n; k++) sum += b[r * n + k]! * b[c * n + k]!;
        out[r * n + c] = sum;
      }
    }
    return out;
  };
  const baselinePrice = Float64Array.from({ length: n }, () => u(0.9, 0.99));
  return {
    assetIds: Array.from({ length: n }, (_, a) => `A${a + 1}`),
    nAssets: n,
    baselinePrice,
    priceImpact: spd(u(0.001, 0.004)),
    regulatoryCost: Float64Array.from({ length: n * nInt }, () => u(0.0005, 0.005)),
    intermediaries: Array.from({ length: nInt }, (_, i) => ({
      id: `I${i + 1}`,
      nConstraints,
      positions: Float64Array.from({ length: n }, () => u(10, 60)),
      returns: Float64Array.from({ length: n }, () => u(0.995, 1.01)),
      liquidationCost: spd(u(0.001, 0.004)),
      positionCoefficients: Float64Array.from({ length: nConstraints * n }, () => u(0, 0.15)),
      saleCoefficients: Float64Array.from(
        { length: nConstraints * n },
        (_, k) => (k % n === Math.floor(k / n) % n ? 1 : 0) + u(0.3, 0.9),
      ),
      need: Float64Array.from({ length: nConstraints }, () => u(5, 20)),
      unitCost: Float64Array.from({ length: n }, () => u(0.95, 0.98)),
      holdingCost: withExAnte ? spd(u(0.0005, 0.002)) : new Float64Array(n * n),
    })),
  };
}

export const testUncertainty = (seed: number, causalDraws: number, predictiveDraws: number): UncertaintySpec => ({
  seed,
  causalDraws,
  predictiveDraws,
  spread: {
    need: 0.4,
    returns: 0.005,
    baselinePrice: 0.01,
    positionCoefficients: 0.3,
    liquidationCost: 0.3,
    saleCoefficients: 0.05,
  },
  commonFactor: 0.5,
});

/** Nelder–Mead maximisation of f from x0 with initial simplex steps `step` (standard coefficients 1, 2, ½, ½). */
export function nelderMeadMaximise(
  f: (x: Float64Array) => number,
  x0: Float64Array,
  step: number,
  options: { tolerance?: number; maxEvaluations?: number } = {},
): { x: Float64Array; value: number; evaluations: number } {
  const tolerance = options.tolerance ?? 1e-14;
  const maxEvaluations = options.maxEvaluations ?? 20000;
  const d = x0.length;
  let evaluations = 0;
  const g = (x: Float64Array) => {
    evaluations++;
    return -f(x);
  };
  let simplex = Array.from({ length: d + 1 }, (_, k) => {
    const x = x0.slice();
    if (k > 0) x[k - 1]! += step;
    return { x, v: g(x) };
  });
  while (evaluations < maxEvaluations) {
    simplex.sort((a, b) => a.v - b.v);
    const best = simplex[0]!;
    const worst = simplex[d]!;
    if (Math.abs(worst.v - best.v) <= tolerance * (Math.abs(best.v) + 1e-30)) {
      let spread = 0;
      for (const p of simplex) for (let k = 0; k < d; k++) spread = Math.max(spread, Math.abs(p.x[k]! - best.x[k]!));
      if (spread < 1e-12 * (1 + Math.max(...Array.from(best.x, Math.abs)))) break;
    }
    const centroid = new Float64Array(d);
    for (let p = 0; p < d; p++) for (let k = 0; k < d; k++) centroid[k]! += simplex[p]!.x[k]! / d;
    const along = (t: number) => centroid.map((c, k) => c + t * (worst.x[k]! - c));
    const reflected = along(-1);
    const vr = g(reflected);
    if (vr < best.v) {
      const expanded = along(-2);
      const ve = g(expanded);
      simplex[d] = ve < vr ? { x: expanded, v: ve } : { x: reflected, v: vr };
    } else if (vr < simplex[d - 1]!.v) {
      simplex[d] = { x: reflected, v: vr };
    } else {
      const contracted = vr < worst.v ? along(-0.5) : along(0.5);
      const vc = g(contracted);
      if (vc < Math.min(vr, worst.v)) {
        simplex[d] = { x: contracted, v: vc };
      } else {
        simplex = simplex.map((p, k) => {
          if (k === 0) return p;
          const x = p.x.map((v, j) => best.x[j]! + 0.5 * (v - best.x[j]!));
          return { x, v: g(x) };
        });
      }
    }
  }
  simplex.sort((a, b) => a.v - b.v);
  return { x: simplex[0]!.x, value: -simplex[0]!.v, evaluations };
}

/** Gaussian elimination with partial pivoting, written independently of linalg.ts. */
export function gaussSolve(matrix: number[][], rhs: number[]): number[] {
  const n = rhs.length;
  const a = matrix.map((row, r) => [...row, rhs[r]!]);
  for (let k = 0; k < n; k++) {
    let pivot = k;
    for (let r = k + 1; r < n; r++) if (Math.abs(a[r]![k]!) > Math.abs(a[pivot]![k]!)) pivot = r;
    [a[k], a[pivot]] = [a[pivot]!, a[k]!];
    for (let r = k + 1; r < n; r++) {
      const f = a[r]![k]! / a[k]![k]!;
      for (let c = k; c <= n; c++) a[r]![c]! -= f * a[k]![c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let sum = a[r]![n]!;
    for (let c = r + 1; c < n; c++) sum -= a[r]![c]! * x[c]!;
    x[r] = sum / a[r]![r]!;
  }
  return x;
}

/**
 * Maximiser of a function known to be quadratic, from central differences at x0 (exact up to rounding) and
 * Gaussian elimination: independent of the engine's closed forms.
 */
export function quadraticMaximum(
  f: (x: Float64Array) => number,
  x0: Float64Array,
  h: number,
): { x: Float64Array; value: number } {
  const d = x0.length;
  const at = (shifts: Array<[number, number]>) => {
    const x = x0.slice();
    for (const [k, v] of shifts) x[k]! += v;
    return f(x);
  };
  const f0 = at([]);
  const plus = Array.from({ length: d }, (_, k) => at([[k, h]]));
  const minus = Array.from({ length: d }, (_, k) => at([[k, -h]]));
  const hessian = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let k = 0; k < d; k++) {
    hessian[k]![k] = (plus[k]! - 2 * f0 + minus[k]!) / (h * h);
    for (let l = 0; l < k; l++) {
      const v =
        (at([
          [k, h],
          [l, h],
        ]) -
          plus[k]! -
          plus[l]! +
          f0) /
        (h * h);
      hessian[k]![l] = v;
      hessian[l]![k] = v;
    }
  }
  const gradient = plus.map((p, k) => (p - minus[k]!) / (2 * h));
  const step = gaussSolve(
    hessian.map((row) => row.map((v) => -v)),
    gradient,
  );
  const x = x0.map((v, k) => v + step[k]!);
  return { x, value: f(x) };
}

/**
 * A policy@1 configuration large enough that computing it takes seconds (tens of seconds on a busy machine): nInt
 * intermediaries × n assets, one rollover constraint each, causal × predictive draws and a noisy predictive model.
 * For the tests that watch the policy job's progress and cancel it (tests/jobs/policy-job.test.ts, e2e/policy.spec.ts).
 */
export function largePolicyDocument(n: number, nInt: number, causalDraws: number, predictiveDraws: number) {
  const assets = Array.from({ length: n }, (_, a) => ({ id: `Asset${a + 1}`, baselinePrice: 0.95 + 0.002 * a }));
  return {
    format: 'contagion-workbench/policy@1',
    name: `Large: ${nInt} intermediaries × ${n} assets`,
    currency: 'EUR',
    unit: 'billion',
    assets,
    priceImpact: assets.map((_, r) => assets.map((_, c) => (r === c ? 0.002 : 0.0001))),
    intermediaries: Array.from({ length: nInt }, (_, i) => ({
      id: `Fund${i + 1}`,
      positions: assets.map((_, a) => 20 + ((i * 7 + a * 3) % 30)),
      returns: assets.map(() => 1),
      liquidationCost: assets.map((_, r) => assets.map((_, c) => (r === c ? 0.001 + 0.0001 * ((i + r) % 5) : 0))),
      rollover: [
        {
          positionCoefficients: assets.map(() => 0.1),
          saleCoefficients: assets.map((asset) => asset.baselinePrice),
          need: 10 + (i % 7),
        },
      ],
    })),
    regulatoryCost: 0.002,
    uncertainty: {
      seed: 1,
      causalDraws,
      predictiveDraws,
      spread: { need: 0.4, positionCoefficients: 0.3, liquidationCost: 0.3 },
    },
    predictiveModel: { noise: 0.5, signals: 2000 },
  };
}
