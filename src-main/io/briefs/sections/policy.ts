/**
 * The policy-lab section (Clayton & Coppola 2025, §2): τ* and Δ(τ*), expected welfare with no model, a predictive
 * model, a causal model and full information, each with its Monte Carlo standard error over the seeded draws, and
 * the wedges (docs/engines/policy-lab.md).
 */
import type { BriefTable, KeyFigure } from '../../../../src-shared/briefs';
import type { PolicyLabResult, PolicyModelView } from '../../../../src-shared/results/policy';
import { rankingChart } from '../charts';
import { formatNumber, keyFigure } from '../../../../src-shared/brief-format';
import type { SectionProvider } from './provider';
import { runOfKind } from '../../../../src-shared/domain';

const DIGITS = 4;

/** "± 0.0012 (standard error)", or nothing for runs saved before standard errors were reported. */
const plusMinus = (error: number | undefined): string | undefined =>
  error === undefined ? undefined : `± ${formatNumber(error, DIGITS)} (standard error)`;
const cell = (value: number, error: number | undefined): string =>
  `${formatNumber(value, DIGITS)}${error === undefined ? '' : ` ± ${formatNumber(error, DIGITS)}`}`;

/** Liquidations and prices at the central parameters, without intervention and with τ*. */
function equilibriumTable(r: PolicyLabResult): BriefTable {
  const { noIntervention: none, optimal } = r.central;
  return {
    title: 'Equilibrium at the central parameters, without intervention and with τ*',
    columns: [
      { label: 'Quantity', numeric: false },
      { label: 'Without intervention', numeric: true, digits: DIGITS },
      { label: 'With τ*', numeric: true, digits: DIGITS },
      { label: 'Change', numeric: true, digits: DIGITS },
    ],
    rows: [
      ...r.assets.flatMap((asset, n) => [
        [`${asset}: units sold in all`, none.total[n]!, optimal.total[n]!, optimal.total[n]! - none.total[n]!],
        [`${asset}: price`, none.price[n]!, optimal.price[n]!, optimal.price[n]! - none.price[n]!],
      ]),
      ...r.intermediaries.flatMap((who, i) =>
        r.assets.map((asset, n) => [
          `${who} sells ${asset}`,
          none.liquidations[i]![n]!,
          optimal.liquidations[i]![n]!,
          optimal.liquidations[i]![n]! - none.liquidations[i]![n]!,
        ]),
      ),
      [`Welfare (${`${r.currency} ${r.unit}`.trim()})`, none.welfare, optimal.welfare, optimal.welfare - none.welfare],
    ],
  };
}

export const policySection: SectionProvider = {
  kind: 'policy',
  async describe(context) {
    const run = runOfKind(context.run, 'policy');
    const r = run.results;
    const money = `${r.currency} ${r.unit}`.trim() || 'units of account';
    const { inputs, welfare } = r;
    const models: Array<[string, PolicyModelView]> = [
      ['No model (prior)', welfare.none],
      [`Predictive model (noise ${inputs.noise} × prior s.d.)`, welfare.predictive],
      ['Causal model', welfare.causal],
      ['Full information', welfare.full],
    ];
    const keyFigures: KeyFigure[] = [
      keyFigure(
        'Expected welfare without intervention',
        welfare.baseline,
        money,
        DIGITS,
        plusMinus(welfare.baselineStandardError),
      ),
      ...models.flatMap(([label, view]) => [
        keyFigure(
          `Expected welfare, ${label.toLowerCase()}`,
          view.welfare,
          money,
          DIGITS,
          plusMinus(view.welfareStandardError),
        ),
        keyFigure(
          `Gain over no intervention, ${label.toLowerCase()}`,
          view.gainOverNoIntervention,
          money,
          DIGITS,
          plusMinus(view.gainOverNoInterventionStandardError),
        ),
      ]),
      keyFigure(
        'Regulatory cost Δ(τ*)',
        r.regulatoryCost,
        money,
        8,
        r.regulatoryCostStandardError === undefined
          ? undefined
          : `± ${formatNumber(r.regulatoryCostStandardError, 8)} (standard error)`,
      ),
    ];
    const draws = `${inputs.draws} seeded parameter draws (${inputs.causalDraws} causal × ${inputs.predictiveDraws} predictive, seed ${inputs.seed})`;
    const tables: BriefTable[] = [
      {
        title: 'Expected welfare by the regulator’s model (± one Monte Carlo standard error)',
        columns: [
          { label: 'Model', numeric: false },
          { label: 'Expected welfare ± s.e.', unit: money, numeric: false },
          { label: 'Gain over no intervention ± s.e.', unit: money, numeric: false },
          { label: 'Value of the model ± s.e.', unit: money, numeric: false },
          { label: 'E₀[Δ(τ*)] ± s.e.', unit: money, numeric: false },
        ],
        rows: [
          ['No intervention', cell(welfare.baseline, welfare.baselineStandardError), '0', '—', '0'],
          ...models.map(([label, v]) => [
            label,
            cell(v.welfare, v.welfareStandardError),
            cell(v.gainOverNoIntervention, v.gainOverNoInterventionStandardError),
            cell(v.valueOfModel, v.valueOfModelStandardError),
            `${formatNumber(v.regulatoryCost, 8)}${v.regulatoryCostStandardError === undefined ? '' : ` ± ${formatNumber(v.regulatoryCostStandardError, 8)}`}`,
          ]),
        ],
        note: `Means over ${draws}; gains and values are paired differences on the same draws.`,
      },
      {
        title: 'Optimal wedges τ* with no model (per unit sold)',
        columns: [
          { label: 'Intermediary', numeric: false },
          ...r.assets.map((a) => ({ label: a, numeric: true, digits: 5 })),
        ],
        rows: r.optimalWedges.map((row, i) => [r.intermediaries[i]!, ...row]),
      },
      equilibriumTable(r),
      {
        title: 'Value of a predictive model: the terms of Proposition 2',
        columns: [
          { label: 'Term', numeric: false },
          { label: 'Value', unit: money, numeric: true, digits: DIGITS },
        ],
        rows: [
          ['Mean term', r.welfare.predictive.meanTerm],
          ['Covariance term', r.welfare.predictive.covarianceTerm],
          ['Value of the predictive model', r.welfare.predictive.valueOfModel],
        ],
        note: 'The value of a model is the variance of the wedges it sets (Clayton & Coppola 2025, Proposition 2).',
      },
    ];
    // horizontal bars: the models' names are long
    const chart = await rankingChart(
      'Expected welfare gain by model',
      `Gain over no intervention (${money}), means over ${draws}.`,
      models.map(([label, v]) => ({ label, value: v.gainOverNoIntervention })),
      { x: `gain (${money})`, y: 'regulator’s model' },
    );
    return {
      heading: `Policy lab — ${r.name}, run #${run.id}`,
      summary:
        `${r.name}: ${r.intermediaries.length} intermediaries × ${r.assets.length} assets over ${draws}. ` +
        `Expected welfare with full information ${cell(welfare.full.welfare, welfare.full.welfareStandardError)} ${money} against ` +
        `${cell(welfare.none.welfare, welfare.none.welfareStandardError)} with no model; a predictive model is worth ` +
        `${cell(welfare.predictive.valueOfModel, welfare.predictive.valueOfModelStandardError)} ${money}, a causal model ` +
        `${cell(welfare.causal.valueOfModel, welfare.causal.valueOfModelStandardError)} (± one Monte Carlo standard error).`,
      keyFigures,
      scenario: [
        `Welfare in ${money}; wedges per unit sold; quantities in units of the assets.`,
        ...r.warnings.map((w) => `Warning: ${w}.`),
      ],
      charts: [chart],
      tables,
      method: [
        'The regulator taxes fire sales with wedges τ (Clayton & Coppola 2025, §2); welfare is exactly quadratic in τ, so τ* = E[Ξ | s]⁻¹E[b | s] and the value of a model is the variance of the wedges it sets (Proposition 2).',
        `Every expected welfare, gain, value of a model and E₀[Δ(τ*)] is a mean over ${draws}, shown with ± one Monte Carlo standard error from the per-draw values (two-way causal × predictive design); gains and values of models are paired differences on the same draws. The values of information are differences of optima: their errors are first-order and understate the spread when the draws are few (docs/engines/policy-lab.md).`,
      ],
      provenance: [
        { label: 'Draws', value: draws },
        { label: 'Predictive model', value: `noise ${inputs.noise} × prior s.d., ${inputs.signals} signals` },
      ],
    };
  },
};
