/**
 * How far the policy lab is (runPolicyLab, policy-report.ts): each stage weighed by a rough count of its arithmetic,
 * so that the fraction done grows about evenly with time and the time left a screen derives from it
 * (elapsed × (1 − f) / f) is about right. The policy job puts the stages in words (src-main/jobs/policy-worker.ts).
 */
import { EX_POST_RULES } from '../../src-shared/results/policy';
import { exAnteEvaluations, type ExPostRule, type PolicyStage } from './policy-lab';

/** The stages of the prior analysis (policy-lab.ts) and those of the report: the central equilibria, a forecast, given wedges, Lemma 1. */
export type PolicyLabStage = PolicyStage | 'central' | 'forecast' | 'evaluated' | 'lemma';

/** `done` of `total` items of a stage (for the ex-ante regimes, of the rule named), and the fraction of the whole run done. */
export interface PolicyLabStep {
  stage: PolicyLabStage;
  done: number;
  total: number;
  rule?: ExPostRule;
  fraction: number;
}

/** What the work of a run depends on: the economy's size, the draws, the predictive model and the optional parts. */
export interface PolicyWorkShape {
  assets: number;
  intermediaries: number;
  causalDraws: number;
  predictiveDraws: number;
  noise: number;
  signals: number;
  forecast: boolean;
  evaluated: boolean;
  exAnte: boolean;
  lemma: boolean;
}

/** A stage of a run, the rule for the ex-ante stages. */
const keyOf = (stage: PolicyLabStage, rule?: ExPostRule) => (rule ? `${stage}:${rule}` : stage);

/** Work on many small arrays (one equilibrium, one draw's economy) takes about eight times as long per multiply-add as on large matrices. */
const SMALL_ARRAYS = 8;
/** What handling one draw costs whatever its size (allocations, calls), in multiply-adds on small arrays. */
const PER_DRAW = 1000;

/**
 * The stages a run goes through, in order, with their work (multiply-adds, roughly): the prior's wedge responses
 * (C·2s²n, s = wedges), the equilibrium of every draw (D·4sn, D = draws), two passes over the grid of draws per model
 * for the Monte Carlo errors (about D·2s² to D·3s², as measured), the causal model's inverses (C·s³ and more), and
 * each ex-ante evaluation, one pass of the grid. Measured at 20 × 10 wedges with 100 × 100 and 100 × 200 draws, and
 * with ex ante at 4 × 3 positions and 2,000 draws, the fraction stays within about ten points of the share of time
 * (fifteen in the ex-ante stages, whose evaluations vary in cost from one rule to the next).
 */
export function policyWork(shape: PolicyWorkShape): Array<[key: string, work: number]> {
  const n = shape.assets;
  const size = n * shape.intermediaries;
  const causal = shape.causalDraws;
  const draws = causal * shape.predictiveDraws;
  const perDraw = SMALL_ARRAYS * (4 * size * n + PER_DRAW);
  const pass = draws * (size * size + PER_DRAW);
  const stages: Array<[string, number]> = [
    ['prior', SMALL_ARRAYS * causal * (2 * size * size * n + shape.intermediaries * n ** 3)],
    ['equilibria', draws * perDraw],
    ['no-model', 2 * pass],
    shape.noise === 0
      ? ['predictive', 2 * pass]
      : ['predictive-signals', shape.signals * (shape.predictiveDraws * (n + size) + 3 * size * size)],
    ['causal-inverses', 1.5 * causal * size ** 3 + draws * size * size],
    ['causal', 3 * pass],
    ['full', 2.3 * pass],
    ['central', perDraw],
  ];
  if (shape.forecast) stages.push(['forecast', draws * perDraw]);
  if (shape.evaluated) stages.push(['evaluated', draws * perDraw]);
  if (shape.exAnte) {
    const evaluation = draws * (perDraw + SMALL_ARRAYS * shape.intermediaries * n ** 3);
    for (const rule of EX_POST_RULES) stages.push([keyOf('ex-ante', rule), exAnteEvaluations(size) * evaluation]);
  }
  if (shape.lemma) stages.push(['lemma', shape.intermediaries ** 2 * n ** 3]);
  return stages;
}

/** Turns the steps of a run into steps with the fraction of the whole done (a stage not in the plan counts as no work). */
export function progressOfRun(
  shape: PolicyWorkShape,
  onProgress: (step: PolicyLabStep) => void,
): (stage: PolicyLabStage, done: number, total: number, rule?: ExPostRule) => void {
  const plan = policyWork(shape);
  const whole = plan.reduce((sum, [, work]) => sum + work, 0) || 1;
  const before = new Map<string, number>();
  let sum = 0;
  for (const [key, work] of plan) {
    before.set(key, sum);
    sum += work;
  }
  const workOf = new Map(plan);
  return (stage, done, total, rule) => {
    const key = keyOf(stage, rule);
    const share = total > 0 ? Math.min(1, done / total) : 1;
    const fraction = ((before.get(key) ?? 0) + (workOf.get(key) ?? 0) * share) / whole;
    onProgress({ stage, done, total, ...(rule ? { rule } : {}), fraction: Math.min(1, fraction) });
  };
}
