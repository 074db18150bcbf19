/**
 * `cwb wedges CONFIG.json`: the policy lab (Clayton & Coppola 2025, §2) — the Middle equilibrium, the regulator's
 * optimal liquidation wedges τ* and the expected welfare with no model, a predictive model, a causal model and full
 * information; `--forecast` sets wedges on a CSV forecast of liquidations; `--example` prints a worked example.
 * Solved by the `policy` job and saved as a run of kind "policy", as on the Policy screen: progress on standard error,
 * Ctrl+C cancels and saves nothing (job-run.ts).
 */
import { basename } from 'node:path';
import { parseForecastCsv } from '../../../src-shared/formats/policy';
import type { PolicyLabResult, PolicyModelView } from '../../../src-shared/results/policy';
import { parsePolicyJson, POLICY_EXAMPLES, readPolicyExample, type PolicyExample } from '../../io/policy-json';
import { runJob } from '../job-run';
import { UsageError, type Command, type CommandIo } from '../command';
import { readTextFile } from './common';

const number = (value: number): string =>
  Math.abs(value) >= 1e-3 || value === 0 ? value.toFixed(4) : value.toExponential(3);

function printTable(io: CommandIo, title: string, rows: string[], cols: string[], values: number[][]): void {
  io.out(title);
  io.out(`  ${''.padEnd(16)}${cols.map((c) => c.padStart(14)).join('')}`);
  rows.forEach((row, r) => io.out(`  ${row.padEnd(16)}${values[r]!.map((v) => number(v).padStart(14)).join('')}`));
}

function printSummary(io: CommandIo, result: PolicyLabResult): void {
  const money = `${result.currency} ${result.unit}`.trim();
  const { inputs, welfare } = result;
  io.out(
    `${result.name}: ${result.intermediaries.length} intermediaries × ${result.assets.length} assets; ${inputs.draws} draws (${inputs.causalDraws} causal × ${inputs.predictiveDraws} predictive), seed ${inputs.seed}`,
  );
  printTable(io, 'τ* with no model (per unit sold):', result.intermediaries, result.assets, result.optimalWedges);
  printTable(
    io,
    'liquidations at the central parameters, no intervention → with τ*:',
    ['L (none)', 'L (τ*)', 'γ (none)', 'γ (τ*)'],
    result.assets,
    [
      result.central.noIntervention.total,
      result.central.optimal.total,
      result.central.noIntervention.price,
      result.central.optimal.price,
    ],
  );
  const se = (error: number | undefined) => (error === undefined ? '' : ` ± ${number(error)}`);
  io.out(`regulatory cost Δ(τ*) = ${number(result.regulatoryCost)}${se(result.regulatoryCostStandardError)} ${money}`);
  io.out(
    `expected welfare (${money}, ± Monte Carlo standard error over the ${inputs.draws} draws): no intervention ${number(welfare.baseline)}${se(welfare.baselineStandardError)}`,
  );
  const line = (label: string, v: PolicyModelView) =>
    io.out(
      `  ${label.padEnd(22)}${`${number(v.welfare)}${se(v.welfareStandardError)}`.padStart(24)}  gain ${`${number(v.gainOverNoIntervention)}${se(v.gainOverNoInterventionStandardError)}`.padStart(22)}  value of model ${`${number(v.valueOfModel)}${se(v.valueOfModelStandardError)}`.padStart(22)}`,
    );
  line('no model', welfare.none);
  line(`predictive (noise ${inputs.noise})`, welfare.predictive);
  line('causal', welfare.causal);
  line('full information', welfare.full);
  io.out(
    `  predictive: ½E₀[τ*]ᵀΨ₀E₀[τ*] = ${number(welfare.predictive.meanTerm)}, ½tr(Ψ₀Σ₀^τ) = ${number(welfare.predictive.covarianceTerm)}`,
  );
  if (result.forecast) {
    printTable(
      io,
      'wedges on the forecast (Corollary 1):',
      result.intermediaries,
      result.assets,
      result.forecast.wedges,
    );
    io.out(`  expected welfare with these wedges: ${number(result.forecast.expectedWelfare)} ${money}`);
  }
  if (result.evaluated)
    io.out(
      `the configuration's wedges: expected welfare ${number(result.evaluated.expectedWelfare)} ${money} (τ*: ${number(welfare.none.welfare)})`,
    );
  for (const regime of result.exAnte ?? []) {
    printTable(
      io,
      `ex ante, ex-post rule "${regime.rule}": private positions (taxes) | social positions | ex-ante wedge t`,
      result.intermediaries,
      [...result.assets, ...result.assets, ...result.assets],
      regime.privateTax.map((row, i) => [...row, ...regime.social[i]!, ...regime.wedgeTax[i]!]),
    );
  }
  for (const warning of result.warnings) io.err(`warning: ${warning}`);
}

export const wedgesCommand: Command = {
  name: 'wedges',
  summary:
    'policy lab, saved as a run: optimal liquidation wedges τ*, Δ(τ), and the value of predictive vs causal models',
  usage: 'cwb wedges CONFIG.json [--forecast FORECAST.csv] [--lemma] [--json] | cwb wedges --example [NAME]',
  positionals: { min: 0, max: 1 },
  flags: [
    {
      name: 'forecast',
      value: 'CSV',
      description:
        'a forecast of liquidations (columns asset,predicted[,intermediary]): wedges set on it (Corollary 1)',
    },
    {
      name: 'lemma',
      description: "include Lemma 1's matrices Λ^q, Λ^τ, Λ^{q,e}, Λ^{τ,e} and ℓ̄ at the central parameters",
    },
    {
      name: 'example',
      description: `print a worked example configuration (${POLICY_EXAMPLES.join(', ')}; the first by default)`,
    },
  ],
  async run({ positionals, flags }, io, context) {
    if (flags.example) {
      const name = positionals[0] ?? POLICY_EXAMPLES[0];
      if (!(POLICY_EXAMPLES as readonly string[]).includes(name))
        throw new UsageError(`--example takes one of ${POLICY_EXAMPLES.join(', ')}, got "${name}"`);
      io.out(readPolicyExample(name as PolicyExample).text);
      return 0;
    }
    const path = positionals[0];
    if (!path) throw new UsageError(`"cwb wedges" needs CONFIG.json; usage: ${wedgesCommand.usage}`);
    const document = parsePolicyJson(readTextFile(path), basename(path));
    let forecastCsv: string | undefined;
    if (typeof flags.forecast === 'string') {
      forecastCsv = readTextFile(flags.forecast);
      // Checked here too, so that a bad row is named with its file.
      const parsed = parseForecastCsv(
        forecastCsv,
        document.assets.map((a) => a.id),
        basename(flags.forecast),
      );
      if (!parsed.ok) throw new UsageError(parsed.message);
    }
    io.err(`wedges: policy lab on ${document.intermediaries.length} intermediaries × ${document.assets.length} assets`);
    const run = await runJob(
      context(),
      io,
      'policy',
      { document, ...(forecastCsv !== undefined ? { forecastCsv } : {}), ...(flags.lemma ? { lemma: true } : {}) },
      'wedges',
    );
    io.err(`wedges: saved as run ${run.id}`);
    if (flags.json) io.out(JSON.stringify({ runId: run.id, ...run.results }));
    else printSummary(io, run.results);
    return 0;
  },
};
