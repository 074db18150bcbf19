/**
 * The policy-lab configuration `contagion-workbench/policy@1` (docs/engines/policy-lab.md): the Middle of Clayton &
 * Coppola (2025, §2) — positions q_i, rollover constraints A_i^q q_i + ρ_i ≤ A_i^ℓ ℓ_i, sale costs H_i^ℓ, the
 * arbitrageurs' γ̄ and Γ, the regulatory cost Δ — plus the prior over parameters (seeded log-normal draws), the
 * predictive model's noise and, for the ex-ante analysis, the costs p_i and H_i^q of positions. Also the CSV of a
 * forecast of liquidations (`asset,predicted`, optionally `intermediary`), which other tools produce.
 */
import { z } from 'zod';

export const POLICY_FORMAT = 'contagion-workbench/policy@1';

/** The worked examples bundled in resources/samples/. */
export const POLICY_EXAMPLE_NAMES = ['policy-two-sectors.json', 'policy-three-sectors.json'] as const;

/** Size limits: the calculator is synchronous, so configurations stay small. */
export const POLICY_LIMITS = {
  assets: 20,
  intermediaries: 100,
  wedges: 400,
  draws: 20000,
  exAnteWedges: 12,
  exAnteDraws: 2000,
  work: 4e9,
} as const;

const finite = z.number().finite();
const vector = z.array(finite);
const matrix = z.array(vector);

const rolloverSchema = z
  .object({
    /** Row of A_i^q: funds needed per unit of each position. */
    positionCoefficients: vector,
    /** Row of A_i^ℓ: funds raised per unit sold of each asset. */
    saleCoefficients: vector,
    /** ρ_i: the fixed funding need. */
    need: finite,
  })
  .strict();

const intermediarySchema = z
  .object({
    id: z.string().min(1, 'must not be empty'),
    name: z.string().optional(),
    positions: vector,
    returns: vector,
    liquidationCost: matrix,
    rollover: z.array(rolloverSchema).min(1, 'needs at least one rollover constraint'),
    unitCost: vector.optional(),
    holdingCost: matrix.optional(),
  })
  .strict();

const spreadSchema = z
  .object({
    need: z.number().min(0).max(2).default(0),
    returns: z.number().min(0).max(2).default(0),
    baselinePrice: z.number().min(0).max(2).default(0),
    positionCoefficients: z.number().min(0).max(2).default(0),
    liquidationCost: z.number().min(0).max(2).default(0),
    saleCoefficients: z.number().min(0).max(2).default(0),
  })
  .strict();

export const policyDocumentSchema = z
  .object({
    format: z.literal(POLICY_FORMAT),
    name: z.string().min(1, 'must not be empty'),
    currency: z.string().optional(),
    unit: z.string().optional(),
    assets: z
      .array(z.object({ id: z.string().min(1, 'must not be empty'), baselinePrice: finite }).strict())
      .min(1, 'needs at least one asset')
      .max(POLICY_LIMITS.assets),
    priceImpact: matrix,
    intermediaries: z
      .array(intermediarySchema)
      .min(1, 'needs at least one intermediary')
      .max(POLICY_LIMITS.intermediaries),
    regulatoryCost: z.union([z.number().finite().nonnegative(), z.array(z.array(z.number().finite().nonnegative()))]),
    wedges: matrix.optional(),
    uncertainty: z
      .object({
        seed: z
          .number()
          .int()
          .min(0)
          .max(2 ** 32 - 1)
          .default(1),
        causalDraws: z.number().int().min(1).max(500).default(8),
        predictiveDraws: z.number().int().min(1).max(5000).default(32),
        spread: spreadSchema.prefault({}),
        commonFactor: z.number().min(0).max(1).default(0.5),
      })
      .strict()
      .prefault({}),
    predictiveModel: z
      .object({
        noise: z.number().min(0).max(100).default(0),
        signals: z.number().int().min(1).max(20000).default(400),
      })
      .strict()
      .prefault({}),
    exAnte: z.boolean().default(false),
  })
  .strict()
  .superRefine((doc, ctx) => {
    const n = doc.assets.length;
    const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const checkVector = (value: number[] | undefined, path: PropertyKey[], what: string) => {
      if (value && value.length !== n) issue(path, `${what} needs ${n} entries (one per asset), got ${value.length}`);
    };
    const checkMatrix = (value: number[][] | undefined, rows: number, path: PropertyKey[], what: string) => {
      if (!value) return;
      if (value.length !== rows) return issue(path, `${what} needs ${rows} rows, got ${value.length}`);
      value.forEach((row, r) => {
        if (row.length !== n)
          issue([...path, r], `${what} row ${r + 1} needs ${n} entries (one per asset), got ${row.length}`);
      });
    };
    const assetIds = new Set<string>();
    doc.assets.forEach((asset, a) => {
      if (assetIds.has(asset.id)) issue(['assets', a, 'id'], `duplicate asset id "${asset.id}"`);
      assetIds.add(asset.id);
    });
    checkMatrix(doc.priceImpact, n, ['priceImpact'], 'Γ (priceImpact)');
    const ids = new Set<string>();
    doc.intermediaries.forEach((x, i) => {
      const at = ['intermediaries', i];
      if (ids.has(x.id)) issue([...at, 'id'], `duplicate intermediary id "${x.id}"`);
      ids.add(x.id);
      checkVector(x.positions, [...at, 'positions'], 'positions');
      checkVector(x.returns, [...at, 'returns'], 'returns');
      checkVector(x.unitCost, [...at, 'unitCost'], 'unitCost');
      checkMatrix(x.liquidationCost, n, [...at, 'liquidationCost'], 'H^ℓ (liquidationCost)');
      checkMatrix(x.holdingCost, n, [...at, 'holdingCost'], 'H^q (holdingCost)');
      if (x.rollover.length > n)
        issue([...at, 'rollover'], `at most ${n} rollover constraints (one per asset), got ${x.rollover.length}`);
      x.rollover.forEach((row, r) => {
        checkVector(row.positionCoefficients, [...at, 'rollover', r, 'positionCoefficients'], 'positionCoefficients');
        checkVector(row.saleCoefficients, [...at, 'rollover', r, 'saleCoefficients'], 'saleCoefficients');
      });
      if (doc.exAnte && (!x.holdingCost || !x.unitCost)) {
        issue(
          [...at, x.holdingCost ? 'unitCost' : 'holdingCost'],
          'the ex-ante analysis needs unitCost (p_i) and holdingCost (H_i^q)',
        );
      }
    });
    const nInt = doc.intermediaries.length;
    if (Array.isArray(doc.regulatoryCost))
      checkMatrix(doc.regulatoryCost, nInt, ['regulatoryCost'], 'Δ (regulatoryCost)');
    checkMatrix(doc.wedges, nInt, ['wedges'], 'wedges');
    if (n * nInt > POLICY_LIMITS.wedges)
      issue(['intermediaries'], `at most ${POLICY_LIMITS.wedges} wedges (assets × intermediaries), got ${n * nInt}`);
    const draws = doc.uncertainty.causalDraws * doc.uncertainty.predictiveDraws;
    if (draws > POLICY_LIMITS.draws)
      issue(['uncertainty'], `at most ${POLICY_LIMITS.draws} draws (causalDraws × predictiveDraws), got ${draws}`);
    // Work of the analysis: one (I·N)³ inversion per causal draw and an I·N × N product per draw (~1 s per 10⁹).
    const size = n * nInt;
    const work = doc.uncertainty.causalDraws * size ** 3 + draws * size * n * 50;
    if (work > POLICY_LIMITS.work)
      issue(
        ['uncertainty'],
        `too much work for an interactive calculation (~${(work / 1e9).toFixed(1)}·10⁹ operations): use fewer draws or wedges`,
      );
    if (doc.exAnte) {
      if (n * nInt > POLICY_LIMITS.exAnteWedges)
        issue(
          ['exAnte'],
          `the ex-ante analysis is for small examples: at most ${POLICY_LIMITS.exAnteWedges} positions (assets × intermediaries), got ${n * nInt}`,
        );
      if (draws > POLICY_LIMITS.exAnteDraws)
        issue(['exAnte'], `the ex-ante analysis takes at most ${POLICY_LIMITS.exAnteDraws} draws, got ${draws}`);
    }
  });

export type PolicyDocument = z.output<typeof policyDocumentSchema>;
export type PolicyDocumentInput = z.input<typeof policyDocumentSchema>;

/** The `policy` job's parameters (the Policy screen's Compute, `cwb wedges`), saved as the run's parameters. */
export const policyParamsSchema = z
  .object({
    document: policyDocumentSchema,
    /** A forecast of liquidations (parseForecastCsv): wedges set on it (Corollary 1). */
    forecastCsv: z
      .string()
      .max(1024 * 1024)
      .optional(),
    /** Lemma 1's matrices at the central parameters in the result too. */
    lemma: z.boolean().optional(),
  })
  .strict();

export type ForecastParse = { ok: true; values: number[]; rows: number } | { ok: false; message: string };

/**
 * Reads a forecast of liquidations: a header with `asset` and `predicted` (or `liquidation`) columns and optionally
 * `intermediary` (rows summed per asset); every asset of the configuration needs at least one row.
 */
export function parseForecastCsv(text: string, assetIds: string[], fileName = 'forecast.csv'): ForecastParse {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const cells = (line: string) => line.split(',').map((cell) => cell.trim().replace(/^"(.*)"$/, '$1'));
  const header = cells(lines[0] ?? '').map((h) => h.toLowerCase());
  const assetColumn = header.indexOf('asset');
  const valueColumn = header.findIndex((h) => h === 'predicted' || h === 'liquidation' || h === 'liquidations');
  if (assetColumn < 0 || valueColumn < 0) {
    return {
      ok: false,
      message: `${fileName}: the header needs an "asset" column and a "predicted" column, got "${lines[0] ?? ''}"`,
    };
  }
  const index = new Map(assetIds.map((id, a) => [id, a]));
  const values = new Array<number>(assetIds.length).fill(0);
  const seen = new Set<number>();
  let rows = 0;
  for (let r = 1; r < lines.length; r++) {
    if (lines[r]!.trim() === '') continue;
    const row = cells(lines[r]!);
    const asset = row[assetColumn] ?? '';
    const a = index.get(asset);
    if (a === undefined)
      return { ok: false, message: `${fileName} row ${r + 1}, column "asset": unknown asset "${asset}"` };
    const raw = row[valueColumn] ?? '';
    const value = raw === '' ? Number.NaN : Number(raw);
    if (!Number.isFinite(value))
      return {
        ok: false,
        message: `${fileName} row ${r + 1}, column "${header[valueColumn]}": "${raw}" is not a number`,
      };
    values[a]! += value;
    seen.add(a);
    rows++;
  }
  const missing = assetIds.filter((_, a) => !seen.has(a));
  if (missing.length > 0)
    return { ok: false, message: `${fileName}: no forecast for asset(s) ${missing.map((m) => `"${m}"`).join(', ')}` };
  return { ok: true, values, rows };
}
