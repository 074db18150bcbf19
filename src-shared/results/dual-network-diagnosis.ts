/**
 * Whether a dual-network training run (Cao, Chen, Mishra, Amini & Feinstein, "Learning the inverse demand function
 * with a dual neural network", §3–4) has learned anything, in words: what went wrong and what to change.
 * The network maps shocks to liquidations ℓ̂ and liquidations to prices p̂; a run that learned reaches a falling
 * validation loss, liquidations that follow the true ones (positive correlation), fractions sold in [0, 1], and a
 * test price error below that of the Linear Price Model.
 */
import { formatSignificant } from '../brief-format';
import type { DualNetworkRunResults } from './fire-sales';

export interface TrainingFinding {
  /** What the run shows, with its figures. */
  problem: string;
  /** What to change before training again. */
  suggestion: string;
}

/** Below this correlation the learned liquidations are said not to follow the true ones. */
export const WEAK_CORRELATION = 0.3;
/** A learned fraction sold below this is a purchase, not rounding noise around zero. */
export const NEGATIVE_FRACTION = -0.01;
/** The validation loss is said to rise when it ends this much above its least value. */
const RISE = 1.25;

const sig = (value: number) => formatSignificant(value, 3);

function risingValidation(curve: DualNetworkRunResults['curve']): TrainingFinding | undefined {
  if (curve.length < 3) return undefined;
  const best = curve.reduce((a, b) => (b.validationLoss < a.validationLoss ? b : a));
  const last = curve.at(-1)!;
  if (!(last.validationLoss > RISE * best.validationLoss) || best.epoch >= last.epoch) return undefined;
  return {
    problem: `The validation loss rose from ${sig(best.validationLoss)} at epoch ${best.epoch} to ${sig(last.validationLoss)} at epoch ${last.epoch}: after epoch ${best.epoch} the network fitted noise or diverged.`,
    suggestion: `Train for about ${best.epoch} epochs, or on more samples so that it stops improving later.`,
  };
}

function weakCorrelations(correlations: Array<number | null>): TrainingFinding | undefined {
  const weak = correlations.flatMap((c, m) =>
    c === null || c < WEAK_CORRELATION ? [`asset ${m + 1}: ${c === null ? 'undefined (constant)' : sig(c)}`] : [],
  );
  if (!weak.length) return undefined;
  return {
    problem: `The learned liquidations do not follow the true ones (correlation below ${WEAK_CORRELATION} or flat) for ${weak.length} of ${correlations.length} asset(s): ${weak.slice(0, 4).join('; ')}${weak.length > 4 ? ` and ${weak.length - 4} more` : ''}.`,
    suggestion:
      'Use more samples and a shock range wide enough that banks sell different amounts; with many banks and few samples, fewer hidden units overfit less.',
  };
}

function negativeFractions(scatter: DualNetworkRunResults['metrics']['scatter']): TrainingFinding | undefined {
  let negative = 0;
  let least = 0;
  for (const row of scatter) {
    for (const f of row.fractions) {
      if (f < NEGATIVE_FRACTION) negative++;
      least = Math.min(least, f);
    }
  }
  if (!negative) return undefined;
  return {
    problem: `The network learned negative fractions sold, below ${NEGATIVE_FRACTION * 100} % (${negative} of ${scatter.length * (scatter[0]?.fractions.length ?? 0)} bank-scenario pairs, down to ${sig(least)}): banks buying in a fire sale, which the model does not allow.`,
    suggestion: 'Train on more samples and stop at the least validation loss; if it persists, fewer hidden units.',
  };
}

/** The findings of a run that did not learn; none for a run that did. */
export function diagnoseTraining(results: DualNetworkRunResults): TrainingFinding[] {
  const m = results.metrics;
  const findings = [
    risingValidation(results.curve),
    weakCorrelations(m.liquidationCorrelation),
    negativeFractions(m.scatter),
  ];
  if (m.mseProposed > m.mseLinearPriceModel) {
    // Enough digits that the two errors read apart, up to six; beyond that they are the same error.
    let digits = 3;
    while (digits < 6 && formatSignificant(m.mseProposed, digits) === formatSignificant(m.mseLinearPriceModel, digits))
      digits++;
    const [mine, linear] = [formatSignificant(m.mseProposed, digits), formatSignificant(m.mseLinearPriceModel, digits)];
    findings.push({
      problem: `${mine === linear ? `The test price error ${sig(m.mseProposed)} equals the Linear Price Model's` : `The test price error ${mine} is above the Linear Price Model's ${linear}`}: the network does no better than a straight line.`,
      suggestion:
        'More samples or epochs (while the validation loss still falls) before reading the learned inverse demand.',
    });
  }
  const drawable = m.curves.some((points) => points.some((p) => Number.isFinite(p.predictedPrice)));
  if (!drawable) {
    findings.push({
      problem: 'The learned inverse demand has no point to draw (no finite predicted price).',
      suggestion: 'Train again with more samples; check that the shock range makes banks sell.',
    });
  }
  return findings.filter((f): f is TrainingFinding => f !== undefined);
}
