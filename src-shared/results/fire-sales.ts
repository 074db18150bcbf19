/** Results of fire-sale simulations and dual-network training, as stored in runs/models and shown on the screen. */

/** One fire-sale equilibrium; the engine uses Float64Array vectors, the API plain arrays. */
export interface FireSaleFields<Vector> {
  prices: Vector;
  /** Fraction of its portfolio each bank sold. */
  fractions: Vector;
  /** Units sold per asset. */
  assetLiquidations: Vector;
  /** Equity after prices fall (marked to market), per bank. */
  equity: Vector;
  /** Mark-to-market loss per bank, plus interbank write-downs when coupled with Eisenberg–Noe. */
  losses: Vector;
  defaulted: boolean[];
  /** Steps of the price iteration (plain or accelerated). */
  iterations: number;
  /** Steps in which the certified Newton step went below the plain one. */
  acceleratedSteps: number;
  /** max|Φ(p) − p| at the last step. */
  lastChange: number;
  /** max|Φ(p) − p| at the prices reported. */
  residual: number;
  converged: boolean;
  /** Prices after each iteration of the fixed point (rows of M), when recorded. */
  pricePath: number[][];
  /** Total units sold after each iteration, when recorded. */
  liquidationPath: number[];
}

export interface FireSaleOutcome extends FireSaleFields<number[]> {
  bankIds: string[];
  assetIds: string[];
  totalLoss: number;
  unit: string;
}

/**
 * A saved fire-sale equilibrium (run kind "firesale", Cao et al. §3): the outcome with what a brief reads from it.
 * Prices are relative to 1 before the shock; amounts (units sold, losses, equity) are in `unit`.
 */
export interface FireSaleRunResults extends FireSaleOutcome {
  /** The system's name. */
  system: string;
  form: 'linear' | 'exponential' | 'arctangent';
  strategy: 'leverage-target' | 'proportional';
  /** The scenario simulated, in words. */
  scenario: string;
  /** Prices before the shock, per asset (1: holdings are counted in units worth 1 each). */
  initialPrices: number[];
  /** Units each bank sold of each asset (rows: banks, columns: assets): its fraction sold × its holding. */
  bankLiquidations: number[][];
  /** Mark-to-market loss on each asset over all banks: Σ_n a_nm (initial price − equilibrium price). */
  assetLosses: number[];
  /** The iteration stops when max|Φ(p) − p| (and the Newton estimate of the distance) is at most this. */
  tolerance: number;
  maxIterations: number;
  /** Interbank liabilities coupled by Eisenberg–Noe clearing (0: none). */
  interbankLiabilities: number;
}

export interface CoefficientTest {
  name: string;
  estimate: number;
  /** Including the variance from calibrating the scaling (bootstrap over the calibration scenarios). */
  standardError: number;
  /** The OLS standard error given the scaling. */
  olsStandardError: number;
  /** Against the true coefficient (Table 6). */
  trueValue: number;
  tTrue: number;
  pTrue: number;
  /** Against zero (Table 7). */
  tZero: number;
  pZero: number;
  /** 95% interval. */
  low: number;
  high: number;
  trueInside: boolean;
}

export interface CurvePoint {
  liquidation: number;
  truePrice: number;
  predictedPrice: number;
}

/** Metrics of one trained dual network on its held-out test rows. */
export interface DualNetworkMetrics {
  /** Σ over assets of the test MSE of prices. */
  mseProposed: number;
  mseLinearPriceModel: number;
  /** Test correlation of ℓ̂_m and the true ℓ_m, per asset (NaN-free: null when undefined). */
  liquidationCorrelation: Array<number | null>;
  /** Correlation of each bank's learned fraction sold with the truth (averaged over assets). */
  bankCorrelation: Array<number | null>;
  /** Learned inverse demand per asset against scaled liquidation ℓ* (eq. 4), others at their least. */
  curves: CurvePoint[][];
  /** Test rows (at most 200): scaled ℓ* and true ℓ per asset, learned and true fraction per bank. */
  scatter: Array<{ scaled: number[]; truth: number[]; fractions: number[]; trueFractions: number[] }>;
  /** Regression of p̂_m on ℓ*_1..ℓ*_M per asset (linear inverse demand only). */
  regression: CoefficientTest[][] | null;
  testRows: number;
  /** Calibration scenarios the scaling ℓ* = D ℓ̂ + e was fitted at. */
  calibrationScenarios: number;
}

export interface DualNetworkRunResults {
  metrics: DualNetworkMetrics;
  /** Inclusive Model MSE when trained alongside. */
  mseInclusive: number | null;
  curve: Array<{ epoch: number; trainLoss: number; validationLoss: number }>;
  epochs: number;
  stoppedBy: string;
  backend: string;
  backendDetail: string;
  modelId: number | null;
  system: string;
  samples: number;
  seed: number;
}

export interface ReproductionRow {
  table: string;
  dataset: string;
  model: string;
  metric: string;
  measured: number | null;
  published: number | null;
}

export interface ReproductionReport {
  seed: number;
  samples: number;
  backend: string;
  rows: ReproductionRow[];
  /** Tables 6–7 on the cross-impact data set, asset 1: p̂₁ on ℓ*₁, ℓ*₂. */
  regression: CoefficientTest[];
  /** Figure 2: per inverse demand form, predicted and true curves. */
  figure2: Array<{ form: string; points: CurvePoint[] }>;
  acceptance: Array<{ criterion: string; met: boolean; detail: string }>;
  durationMs: number;
}

/** The warning in words that goes with an unconverged equilibrium wherever it is shown; null when converged. */
export function convergenceWarning(outcome: {
  converged: boolean;
  iterations: number;
  lastChange: number;
}): string | null {
  if (outcome.converged) return null;
  return `The price iteration stopped after ${outcome.iterations.toLocaleString('en-US')} steps without converging (largest change ${outcome.lastChange.toExponential(1)}); treat these prices as approximate.`;
}

/**
 * Table 3, arctangent data: the published liquidation correlation and the bound the published architecture has
 * on the case-study data (docs/engines/fire-sales.md, "Identification").
 */
export const ARCTANGENT_CORRELATION = {
  published: 0.9992,
  bound: 0.9706,
  note:
    'The paper reports 0.9992 here. On these data its network cannot reach that: its learned price curve can only bend one way, ' +
    'and a network of that kind that fits the arctangent prices exactly recovers the liquidations with a correlation of at most ' +
    'about 0.97 (0.9706). Our network, whose price curve may bend either way, is not bound by this.',
} as const;

/** Whether a reproduction row is Table 3's arctangent correlation. */
export const isArctangentCorrelation = (row: { table: string; dataset: string }): boolean =>
  row.table === '3' && row.dataset === 'arctangent';
