/**
 * The `policy` job, worker side: the policy lab (Clayton & Coppola 2025, §2) on one configuration — the prior's
 * draws, the wedges and welfare of each model with their Monte Carlo errors, the central equilibria and, when asked,
 * the forecast's wedges, the ex-ante regimes and Lemma 1's matrices — with its progress in words.
 */
import type { PolicyDocument } from '../../src-shared/formats/policy';
import { EX_POST_RULE_WORDS, EX_POST_RULES, type PolicyLabResult } from '../../src-shared/results/policy';
import type { PolicyLabStep } from '../engines/policy-progress';
import { runPolicyLab } from '../engines/policy-report';
import type { TaskReporter } from './protocol';

/** What the worker solves: the validated configuration, the forecast already read from its CSV (policy-tasks.ts). */
export interface PolicyShardInput {
  document: PolicyDocument;
  forecast?: number[];
  lemma?: boolean;
}

const count = (value: number) => value.toLocaleString('en-US');

/** A step of the run in words: "Causal model: welfare and its standard error over the draws, 3,200 of 20,000 evaluations". */
export function policyStepInWords(step: Omit<PolicyLabStep, 'fraction'>, document: PolicyDocument): string {
  const { done, total } = step;
  const draws = count(document.uncertainty.causalDraws * document.uncertainty.predictiveDraws);
  const errors = `welfare and its standard error over the draws, ${count(done)} of ${count(total)} evaluations`;
  switch (step.stage) {
    case 'prior':
      return `Drawing the regulator's prior: causal draw ${count(done)} of ${count(total)}`;
    case 'equilibria':
      return `Solving the equilibrium of each draw: ${count(done)} of ${count(total)} draws`;
    case 'no-model':
      return `No model: ${errors}`;
    case 'predictive-signals':
      return `Predictive model: wedges on signal ${count(done)} of ${count(total)}`;
    case 'predictive':
      return `Predictive model: ${errors}`;
    case 'causal-inverses':
      return `Causal model: wedges for causal draw ${count(done)} of ${count(total)}`;
    case 'causal':
      return `Causal model: ${errors}`;
    case 'full':
      return `Full information: ${errors}`;
    case 'central':
      return 'Equilibrium at the central parameters, without and with τ*';
    case 'forecast':
      return `Wedges on the forecast: expected welfare over ${draws} draws`;
    case 'evaluated':
      return `The configuration's wedges: expected welfare over ${draws} draws`;
    case 'ex-ante': {
      const rule = step.rule ?? 'none';
      return `Ex ante, rule ${EX_POST_RULES.indexOf(rule) + 1} of ${EX_POST_RULES.length} (${EX_POST_RULE_WORDS[rule]}): evaluation ${count(done)} of ${count(total)} over ${draws} draws`;
    }
    case 'lemma':
      return "Lemma 1's matrices at the central parameters";
  }
}

export function runPolicyJob(input: PolicyShardInput, reporter?: TaskReporter): PolicyLabResult {
  const { document, forecast, lemma } = input;
  reporter?.progress(
    0,
    `Drawing the regulator's prior: ${count(document.uncertainty.causalDraws)} causal × ${count(document.uncertainty.predictiveDraws)} predictive draws`,
  );
  return runPolicyLab(document, {
    ...(forecast ? { forecast } : {}),
    ...(lemma ? { lemma } : {}),
    ...(reporter
      ? { onProgress: (step: PolicyLabStep) => reporter.progress(step.fraction, policyStepInWords(step, document)) }
      : {}),
  });
}
