/**
 * Policy-lab benchmark: τ* over parameter draws (Proposition 1: Ψ₀ = E₀[Ξ], τ* = Ψ₀⁻¹E₀[b], plus the predictive,
 * causal and full-information models) against a direct numerical maximisation of E₀[W(τ)] that solves the Middle
 * equilibrium of every draw at every trial τ: Nelder–Mead on a small case, and on larger cases the exact maximiser of
 * the quadratic E₀[W] from central differences (n(n+3)/2 + 1 evaluations of E₀[W] for n wedges). Random economies of
 * tests/support/policy.ts; agreement as max |τ_engine − τ_reference| / max |τ_engine|.
 */
import { analysePrior, drawPrior, expectedWelfare } from '../src-main/engines/policy-lab';
import { runPolicyLab } from '../src-main/engines/policy-report';
import { parsePolicyJson, readPolicyExample } from '../src-main/io/policy-json';
import { nelderMeadMaximise, quadraticMaximum, randomPolicyEconomy, testUncertainty } from '../tests/support/policy';

const round = (value: number, digits = 4) => Number(value.toPrecision(digits));
const seconds = (started: number) => (performance.now() - started) / 1000;

function compare(
  nInt: number,
  nAssets: number,
  causalDraws: number,
  predictiveDraws: number,
  reference: 'nelder-mead' | 'quadratic' | 'none',
) {
  const economy = randomPolicyEconomy(2024 + nInt, nInt, nAssets, nAssets > 2 ? 2 : 1);
  const spec = testUncertainty(7, causalDraws, predictiveDraws);
  let started = performance.now();
  const draws = drawPrior(economy, spec);
  const analysis = analysePrior(economy, draws, { noise: 0, signals: 1, seed: 7 });
  const engineSeconds = seconds(started);
  const size = nInt * nAssets;
  const out: Record<string, unknown> = {
    intermediaries: nInt,
    assets: nAssets,
    wedges: size,
    draws: causalDraws * predictiveDraws,
    engineSeconds: round(engineSeconds),
  };
  if (reference === 'none') return out;
  const objective = (tau: Float64Array) => expectedWelfare(draws, tau);
  started = performance.now();
  let evaluations = 0;
  const counted = (tau: Float64Array) => {
    evaluations++;
    return objective(tau);
  };
  const found =
    reference === 'nelder-mead'
      ? nelderMeadMaximise(counted, new Float64Array(size), 0.01)
      : quadraticMaximum(counted, new Float64Array(size), 0.01);
  const referenceSeconds = seconds(started);
  let scale = 0;
  let gap = 0;
  for (let k = 0; k < size; k++) {
    scale = Math.max(scale, Math.abs(analysis.optimalWedges[k]!));
    gap = Math.max(gap, Math.abs(found.x[k]! - analysis.optimalWedges[k]!));
  }
  return {
    ...out,
    reference,
    referenceSeconds: round(referenceSeconds),
    referenceEvaluations: evaluations,
    speedup: round(referenceSeconds / engineSeconds, 3),
    relativeWedgeGap: round(gap / scale, 3),
    welfareGap: round(objective(analysis.optimalWedges) - found.value, 3),
  };
}

export function run(): Record<string, unknown> {
  compare(2, 2, 2, 4, 'none'); // warm-up
  const sample = parsePolicyJson(readPolicyExample('policy-two-sectors.json').text);
  let started = performance.now();
  runPolicyLab(sample);
  const sampleSeconds = seconds(started);
  const threeSectors = parsePolicyJson(readPolicyExample('policy-three-sectors.json').text);
  started = performance.now();
  runPolicyLab(threeSectors);
  const threeSeconds = seconds(started);
  return {
    note: 'engine: drawPrior + analysePrior (no model, predictive, causal, full information); reference: maximise E₀[W(τ)] solving every draw',
    small: compare(2, 2, 4, 8, 'nelder-mead'),
    medium: compare(8, 3, 8, 16, 'quadratic'),
    large: compare(20, 4, 8, 32, 'quadratic'),
    veryLarge: compare(60, 5, 16, 64, 'none'),
    workedExamples: {
      'policy-two-sectors.json (with ex ante)': round(sampleSeconds),
      'policy-three-sectors.json': round(threeSeconds),
    },
  };
}
