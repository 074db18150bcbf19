/**
 * Batched clearing: blocks of scenarios cleared together for networks without the product form (Eisenberg & Noe
 * 2001, "Systemic risk in financial systems", Management Science 47(2), §2–3; with the default costs α, β of
 * Rogers & Veraart 2013, "Failure and rescue in an interbank network", Management Science 59(4), §3).
 *
 *   Φ_i(p) = p̄_i                          if e_i + (Aᵀp)_i ≥ p̄_i      (e = c − x)
 *   Φ_i(p) = max(0, α e_i + β (Aᵀp)_i)    otherwise,
 *
 * the greatest fixed point p = Φ(p). Every scenario of the block keeps its inflow Aᵀp (one row of a block × n
 * array); a change δ of p_j adds δ·a_j· (row j of A) to it. So the work per step is a sum of rows of A scaled per
 * scenario — a sparse-times-dense (or, for sparse networks, sparse-times-sparse) product whose row of A is read
 * once per block instead of once per scenario (rows of dense A contiguous; CSR rows when fewer than a quarter of
 * the links exist).
 *
 * Per scenario, starting at p = p̄ (above the greatest clearing vector):
 *   - on a dense network, where a quarter to a half of the banks default on their own shocks: Picard steps first,
 *     p_D ← Φ_D(p) with Aᵀp of the block's such scenarios recomputed as one product, until a step adds no bank
 *     (`picardSteps`), so that the rounds below start near the final default set;
 *   - while the default set D is small (|D|² ≤ EXACT_FACTOR · links per bank: the solve costs less than the
 *     sweeps it replaces), fictitious-default rounds: solve (I − β A_DDᵀ) δ_D = α e_D + β (Aᵀp)_D − p_D, apply δ,
 *     add the banks that the lost inflow makes insolvent, until no bank is added. The solve is Gauss–Seidel on
 *     the gathered |D| × |D| block from δ = 0 (the right-hand side is ≤ 0 and (I − β A_DDᵀ)⁻¹ ≥ 0, so the
 *     iterates fall monotonically towards δ and p stays above the clearing vector), |D|² per iteration, until no
 *     entry moves by more than GAUSS_SEIDEL_SETTLED · max p̄; when it contracts slowly (a step shrinks the change
 *     by less than half after the fourth) the round is solved by LU instead (bordered, (|D|³ − f³)/3 flops).
 *     On a dense network no round reads a whole row of A: (Aᵀp)_D comes from the gathered block, p̄-inflow
 *     minus A_DDᵀ s (s = p̄ − p, nonzero on D only; |D|² flops), and the survivors are checked by a bound: a
 *     solvent bank loses Σ_{j∈D} s_j a_ji ≤ (Σ_j s_j) · max_j a_ji, so only those whose net worth after the shock
 *     is below that bound are candidates, each decided from its exact loss summed over the rows of D in decreasing
 *     shortfall, as soon as the partial sum exceeds its net worth or the rest cannot (`markAtRisk`). The first
 *     round's Gauss–Seidel solve only screens, so it stops at SCREENING_SETTLED · max p̄ (still above δ: the next
 *     round's right-hand side stays ≤ 0); when it marks nobody, the same default set is solved once more from
 *     there to the full precision. On a sparse network each round recomputes Aᵀp from scratch (CSR rows) and
 *     checks every bank;
 *   - in a run long enough to pay for one LU of K = I − βAᵀ, once D holds more than half of the banks: the banks
 *     that a bound through K⁻¹ e shows to default join D (`boundScreen`: p* ≤ K⁻¹(e + (1 − β)Aᵀp̄), no product
 *     with A; for a D past half before any round, K⁻¹ e solved for the block at once) or one Picard step
 *     (`picardSteps`, for a D that grew past half in the rounds), then, where the survivors cost less than a
 *     Gauss–Seidel round on D (`throughSurvivors`: |S| < ¾ |D| where K⁻¹ e was solved with the block's, else
 *     |S|³ < SURVIVORS_FACTOR · |D|², or D beyond ITERATIVE_SHARE of the banks), rounds through the survivors S
 *     instead (`complementRounds`): p = K⁻¹(α e + E_S λ) with (K⁻¹)_SS λ = p̄_S − (K⁻¹ α e)_S solved by
 *     Gauss–Seidel, |S|² an iteration (its LU, |S|³/3 flops, where that contracts too slowly), one solve with the
 *     factors per scenario and the columns of K⁻¹ for the survivors (both for the block's scenarios together). On
 *     a dense network a D past SCREEN_SHARE of the banks on its own shocks goes through the bound before any round
 *     as well, instead of Picard steps;
 *   - otherwise (or after), monotone Gauss–Seidel sweeps from above, p_i ← Φ_i(p) bank by bank, until a sweep
 *     changes no payment by more than a tenth of the tolerance.
 * Both stay above the greatest clearing vector, so each bank marked insolvent is insolvent there too. Each result
 * is then verified: the fixed-point residual max_i |Φ_i(p) − p_i| / max_i p̄_i must be ≤ FIXED_POINT_TOLERANCE,
 * sweeps resuming until it is. After exact rounds on a dense network it is that of the banks of D at their
 * inflows from the block (every survivor pays p̄_i = Φ_i(p), proved by the bound or its exact loss, both widened by
 * BOUND_MARGIN against rounding); otherwise Aᵀp is recomputed from scratch (p̄ minus the shortfalls of D) for every
 * bank — after the survivors' rounds for the block's scenarios together, as one matrix product
 * (`refreshInflows`). Shocks must satisfy 0 ≤ x_i ≤ c_i (validated by the caller or by construction).
 *
 * The kernels read A in place from the network's shared WebAssembly memory (`ClearingSystem.relativeMemory`): the
 * gather kernel (kernels/rows.wat) fills the block from eight rows of A at a time (eight scattered reads in
 * flight: at 3,000 banks the rows are not in cache), the rows kernel recomputes Aᵀp eight rows at a time (the
 * output row read and written once per eight rows), and the product kernel sums A_DDᵀ δ. A scenario's rounds run
 * one after another and border the one gathered block as D grows; running the rounds of a block of scenarios in
 * lockstep, so that Aᵀp of all of them is one product reading each row of A once, needs a gathered block per
 * scenario and measured slower on one thread (docs/scale.md).
 */
import { productForm, recoveryRates } from './clearing';
import { EngineInputError } from './errors';
import { kernelShares } from './kernels/helpers';
import { KERNEL_MAX_DOUBLES, KernelWorkspace, sharedMatrixMemory } from './kernels/workspace';
import { factorises, factoriseShared, sharedColumns, sharedLu, type SharedLu } from './shared-lu';
import { InverseColumns, luSolve } from './linalg';
import { MATRIX_MEMORY_MIN_BANKS, type ClearingSystem } from './network-arrays';

/** Largest fixed-point residual max_i |Φ_i(p) − p_i|, relative to max_i p̄_i, of every batched result. */
export const FIXED_POINT_TOLERANCE = 1e-12;
/** Exact default-set rounds while |D|² ≤ EXACT_FACTOR · (links per bank): m³/3 LU flops vs ~8 sweeps of 2·m·links. */
const EXACT_FACTOR = 48;
/** Default sets of up to this share of the banks may be solved by Gauss–Seidel rounds (LU: EXACT_FACTOR). */
const ITERATIVE_SHARE = 0.8;
/**
 * In a run long enough for the survivors' rounds, a default set whose K⁻¹ e was solved with the block's
 * (`screenThroughInverse`) goes to them once |S| < ¾ |D| (measured at 1,000 dense banks, ms per scenario: under
 * shocks up to 20%, 1.53–1.63 with |S| < |D| against 1.38–1.54 with ¾; under shocks up to 30%, 1.0–1.2 with
 * either, and 2.4–2.9 with ½); one that needs a solve of its own once |S|³ < SURVIVORS_FACTOR · |D|² (its
 * solve, one scenario per pass over K's factors, then costs less than the Gauss–Seidel rounds on D: about ten
 * iterations of 2|D|² and the gather; measured where the two crossed near |D| = 730).
 */
const SURVIVORS_FACTOR = 40;
/**
 * A Gauss–Seidel solve of the default set stops when no entry of δ moves by more than this times max p̄, divided by
 * the workspace's `residualWeight`: each equation's residual after an iteration is the later moves it has not
 * seen, weighted by β a_tc (at most residualWeight times the largest move), so a defaulted bank's fixed-point
 * residual stays ten times inside FIXED_POINT_TOLERANCE.
 */
const GAUSS_SEIDEL_SETTLED = 1e-13;
/**
 * Relative widening of the bound on a survivor's lost inflow (`markAtRisk`): the exact sum of |D| products, rounded,
 * exceeds it by at most about |D| · 2⁻⁵³ (3e-13 at 3,000 banks).
 */
const BOUND_MARGIN = 1e-9;
/** The first round of a dense network, which only screens for the banks its losses make insolvent, stops here. */
const SCREENING_SETTLED = 1e-6;
/** Dense rows of A are used when at least this share of the n(n − 1) links exist. */
const DENSE_SHARE = 0.25;
const MAX_SWEEPS = 100_000;
/**
 * Smaller networks keep the per-scenario engine (its incremental LU and Schur paths are cheap there); from this size
 * on, the clearing system keeps A in the shared memory the rows kernel reads.
 */
const BATCH_MIN_BANKS = MATRIX_MEMORY_MIN_BANKS;
/**
 * Banks of the default set the Gauss–Seidel solve visits before their rows of the block are added at once; also
 * the rows of D `markAtRisk` sums into the candidates' losses before it decides which of them leave.
 */
const ROWS_AT_ONCE = 8;
/** `markAtRisk` sums every bank's loss by the rows kernel once more than one bank in this many is a candidate. */
const CANDIDATES_FOR_ROWS = 8;
/**
 * Default sets past this share of the banks on their own shocks (and not past half, nor screened through K⁻¹:
 * SCREEN_SHARE) start with Picard steps for the block together (`picardSteps`), at most MAX_PICARD_STEPS of them.
 */
const PICARD_SHARE = 0.25;
/**
 * Default sets past this share of the banks on their own shocks go through the bound of `boundScreen` before any
 * round, where the survivors' solver is wanted (most of them end past half; the bound then finds nearly every
 * contagious default). Measured at 1,000 dense banks under shocks up to 20%, where most end below half: 0.4 cost
 * 1.53–1.55 ms per scenario, 0.35 1.63–1.70, 0.3 2.0–2.3; under shocks up to 30% the three took the same.
 */
const SCREEN_SHARE = 0.4;
const MAX_PICARD_STEPS = 60;
/** Bytes of rows of A that `refreshInflows` copies for one product (within the second-level cache). */
const ROW_PASS_BYTES = 512 * 1024;
/**
 * Large default sets are solved through the survivors (`complementRounds`) when the run clears at least one
 * scenario per this many banks: the LU of I − βAᵀ (2n³/3 flops, once) then costs less than the rounds and sweeps it
 * saves. Under shocks up to 100% it costs about as much as the sweeps of one large default set per 250 banks (at
 * 1,000 dense banks the two cross between 4 and 8 scenarios, at 3,000 between 8 and 16); under shocks up to 30–50%,
 * where fewer default sets are large, runs of one scenario per 50–75 banks took as long with it or less.
 */
const BANKS_PER_SCENARIO_FOR_COMPLEMENT = 100;
/**
 * A block's scenarios, at most MAX_BLOCK, take at most BLOCK_BYTES of inflows. Under severe shocks each row of A
 * (the verifying product, `refreshInflows`) and each entry of the LU of K (`solveShocks`) read from memory serves
 * every scenario of the block, so larger blocks pay there: dense 3,000 banks, F = 1, 1,032 scenarios, blocks of 128
 * against 43 (the rule within 1 MiB): 4.59–4.79 against 4.92–5.19 ms per scenario with the LU of K; 1,000 banks, F = 1:
 * 0.37 against 0.38–0.40 ms for 64; F = 0.1 and 0.3 the same within the spread. Results do not depend on it.
 */
const BLOCK_BYTES = 3 * 2 ** 20;
const MAX_BLOCK = 128;

export interface BatchOptions {
  alpha?: number;
  beta?: number;
  /**
   * Scenarios per block (default: as many as keep the block's inflows within BLOCK_BYTES, 8 … MAX_BLOCK, and no more
   * than the run's scenarios).
   */
  blockSize?: number;
  /** Scenarios the workspace will clear in all (decides whether large default sets are solved through the survivors). */
  scenarios?: number;
  /** The survivors' solver shared with the other shards of the run, and this shard's number (from 0). */
  shared?: { share: ComplementShare; shard: number };
}

/**
 * The survivors' solve of large default sets (`complementRounds`): the LU of K = I − βAᵀ, the columns of K⁻¹ met so
 * far, and buffers.
 */
interface ComplementSolver {
  readonly inverse: InverseColumns;
  /** K⁻¹ e per scenario of the block (block × n; K⁻¹ α e once `complementRounds` scales it), and which rows hold it. */
  readonly shockSolutions: Float64Array;
  readonly solved: Uint8Array;
  /** Which scenarios of the block `boundScreen` has screened (the bound does not depend on D: once is enough). */
  readonly screened: Uint8Array;
  /** K⁻¹ Aᵀp̄, for the bound of `boundScreen` where β < 1 (solved at its first use). */
  assets: Float64Array | null;
  readonly survivors: Int32Array;
  /** (K⁻¹)_SS, grown as needed, its pivots, and the multipliers λ. */
  capacity: Float64Array;
  readonly pivots: Int32Array;
  readonly multipliers: Float64Array;
  /** Since that factor: its right-hand side b = p̄_S − (K⁻¹ α e)_S and M⁻¹ b (`dropDefaulted`). */
  readonly target: Float64Array;
  readonly factoredMultipliers: Float64Array;
  /** Positions of survivors that defaulted since the factor, and 1 where so. */
  readonly removed: Int32Array;
  readonly left: Uint8Array;
  /** The columns of M⁻¹ solved so far for the defaulted positions (a new set with each factor). */
  factorInverse: InverseColumns | null;
  /** B = (I − Mᵀ)/β, the sums Bᵀλ and a group's moves for `iterateSurvivors`, in a kernel workspace grown as needed. */
  iteration: SurvivorIteration | null;
}

interface SurvivorIteration {
  readonly space: KernelWorkspace;
  readonly capacity: number;
  readonly block: Float64Array;
  readonly sums: Float64Array;
  readonly moves: Float64Array;
}

/** Buffers for one system and block size; the results of the last `clearBlock` are read from it. */
export interface BatchWorkspace {
  readonly system: ClearingSystem;
  readonly alpha: number;
  readonly beta: number;
  readonly blockSize: number;
  /** Whether rows of A are read dense (else from the CSR). */
  readonly dense: boolean;
  /** The survivors' solver shared with the run's other shards, if any (BatchOptions.shared). */
  readonly shared?: { share: ComplementShare; shard: number };
  /** The shared memory that holds A (dense rows), which the rows kernels read (`matrixMemory`). */
  readonly matrix: WebAssembly.Memory;
  /** Holds the inflows and the rows kernel's row offsets and factors (`refreshInflow`). */
  readonly kernels: KernelWorkspace;
  /** p, block × n, scenario-major. */
  readonly payments: Float64Array;
  /** Aᵀp, block × n. */
  readonly inflow: Float64Array;
  /** 0 solvent, else the round or sweep (1 = defaulted on its own shock) in which the bank defaulted. */
  readonly defaultRound: Int32Array;
  /** First nDefaults[s] entries of row s: the default set of scenario s, in order of default. */
  readonly defaultList: Int32Array;
  readonly nDefaults: Int32Array;
  readonly loss: Float64Array;
  readonly shortfallTotal: Float64Array;
  readonly shockTotal: Float64Array;
  /** max_i |Φ_i(p) − p_i| / max_i p̄_i of each scenario (≤ FIXED_POINT_TOLERANCE). */
  readonly residual: Float64Array;
  /** Scenarios of the last block that needed Gauss–Seidel sweeps (the others were solved by exact rounds). */
  sweptScenarios: number;
  /** Exact rounds of the last block solved by Gauss–Seidel on the default set, and by its LU. */
  iterativeRounds: number;
  factoredRounds: number;
  /** Rounds of the last block whose new defaults were found by `markAtRisk` (Aᵀp not recomputed). */
  screenedRounds: number;
  /** Scenarios of the last block whose large default set was solved through the survivors (`complementRounds`). */
  complementScenarios: number;
  /** Survivors' systems of the last block factorised by LU (`iterateSurvivors` contracting too slowly). */
  survivorFactors: number;
  /** Banks of the last block that the bound through K⁻¹ e marked insolvent (`boundScreen`). */
  boundDefaults: number;
  /** Picard steps the last block's scenarios took (`picardSteps`), summed over them. */
  picardSteps: number;
  /** Built at the first large default set when the run is long enough (null: not used, or I − βAᵀ is singular). */
  complement: ComplementSolver | null | undefined;
  readonly scale: number;
  /** max(1, β · the largest column sum Σ_t a_ti of A): bounds a Gauss–Seidel residual per unit move. */
  readonly residualWeight: number;
  /** Largest default set solved exactly (|D|² ≤ EXACT_FACTOR · links per bank), and its buffers. */
  readonly exactSize: number;
  /** Largest default set solved by Gauss–Seidel (ITERATIVE_SHARE of the banks). */
  readonly iterativeSize: number;
  readonly lu: Float64Array;
  /**
   * A_DD gathered for the Gauss–Seidel solve (row c holds a_{D_c D_r} for every r; stride blockStride), grown to
   * the largest default set met (doubling, up to iterativeSize), so small shocks keep it small. It lives in a
   * kernel workspace with the solve's sums A_DDᵀδ (`blockSums`; after the solve, (Aᵀp)_D: `defaultSetInflow`), the
   * negated moves of a group of δ (`blockMoves`), which the product kernel adds to the sums, the shortfalls
   * p̄_D − p_D (`blockShortfalls`) and the banks of D it holds (`blockList`, for the gather kernel).
   */
  block: Float64Array;
  blockSums: Float64Array;
  blockMoves: Float64Array;
  blockShortfalls: Float64Array;
  blockList: Int32Array;
  blockStride: number;
  /** How many banks of the default list `block` holds (it is bordered as D grows). */
  gathered: number;
  readonly rhs: Float64Array;
  /** δ_D of the Gauss–Seidel solve. */
  readonly step: Float64Array;
  /** Offsets of the dense rows of A to subtract and their factors (`refreshInflow`, `markAtRisk`). */
  readonly rowOffsets: Int32Array;
  readonly rowDeltas: Float64Array;
  /** Every bank's lost inflow Σ_{j∈D} s_j a_ji, where `markAtRisk` has many candidates. */
  readonly losses: Float64Array;
  /** p̄ − p per scenario (block × n), and a pass of rows of A copied beside them, for `refreshInflows`. */
  readonly shortfalls: Float64Array;
  readonly passRows: Float64Array;
  /** Last round (or sweep) number per scenario of the block. */
  readonly rounds: Int32Array;
  /** max_j a_ji for each bank i (`markAtRisk`), and that function's banks, their lost inflow and their slack. */
  readonly columnMax: Float64Array;
  readonly candidates: Int32Array;
  readonly candidateLoss: Float64Array;
  readonly candidateSlack: Float64Array;
  /** The rows of D in decreasing shortfall, and the shortfalls (`markAtRisk`). */
  readonly order: Int32Array;
  readonly orderShortfall: Float64Array;
}

/**
 * Whether the stress engine clears this system in batches: dense networks (rows of A read dense) without the
 * product form (which has its O(n) path), under the default solver choice. Sparse networks keep the per-scenario
 * engine, whose CSR and vectors stay in cache (measured faster by `npm run bench -- scale`).
 */
export function prefersBatchedClearing(system: ClearingSystem, options: { exactPath?: string } = {}): boolean {
  const n = system.nBanks;
  if ((options.exactPath ?? 'auto') !== 'auto' || n < BATCH_MIN_BANKS || system.nLinks < DENSE_SHARE * n * (n - 1))
    return false;
  if (n * n > KERNEL_MAX_DOUBLES) return false; // A beyond the kernels' memory
  return productForm(system) === null;
}

export function createBatchWorkspace(system: ClearingSystem, options: BatchOptions = {}): BatchWorkspace {
  const { alpha, beta } = recoveryRates(options);
  const n = system.nBanks;
  const blockSize =
    options.blockSize ??
    Math.max(
      1,
      Math.min(MAX_BLOCK, options.scenarios ?? MAX_BLOCK, Math.max(8, Math.floor(BLOCK_BYTES / (8 * Math.max(n, 1))))),
    );
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, system.totalObligations[i]!);
  const dense = system.nLinks >= DENSE_SHARE * n * (n - 1);
  const passLength = dense ? Math.min(n, Math.max(4, Math.floor(ROW_PASS_BYTES / (8 * n)))) * n : 0;
  const kernels = new KernelWorkspace(2 * blockSize * n + 2 * n + Math.ceil(n / 2) + passLength);
  const exactLimit = Math.floor(EXACT_FACTOR * (dense ? n : Math.max(1, system.nLinks / Math.max(n, 1))));
  const exactSize = Math.min(n, Math.floor(Math.sqrt(exactLimit)));
  // the gathered block of a Gauss–Seidel solve (iterativeSize² doubles) must fit one kernel workspace
  const iterativeSize = Math.min(
    Math.max(exactSize, Math.floor(ITERATIVE_SHARE * n)),
    Math.floor(Math.sqrt(KERNEL_MAX_DOUBLES)) - 2,
  );
  return {
    system,
    alpha,
    beta,
    blockSize,
    dense,
    shared: options.shared,
    matrix: matrixMemory(system),
    kernels,
    payments: new Float64Array(blockSize * n),
    inflow: kernels.take(blockSize * n),
    defaultRound: new Int32Array(blockSize * n),
    defaultList: new Int32Array(blockSize * n),
    nDefaults: new Int32Array(blockSize),
    loss: new Float64Array(blockSize),
    shortfallTotal: new Float64Array(blockSize),
    shockTotal: new Float64Array(blockSize),
    residual: new Float64Array(blockSize),
    sweptScenarios: 0,
    iterativeRounds: 0,
    factoredRounds: 0,
    screenedRounds: 0,
    complementScenarios: 0,
    survivorFactors: 0,
    boundDefaults: 0,
    picardSteps: 0,
    complement:
      dense && beta > 0 && (options.scenarios ?? 0) * BANKS_PER_SCENARIO_FOR_COMPLEMENT >= n ? undefined : null,
    scale: Math.max(scale, 1e-300),
    residualWeight: Math.max(1, beta * columnStatistics(system).largestSum),
    exactSize,
    iterativeSize,
    lu: new Float64Array(exactSize * exactSize),
    block: new Float64Array(0),
    blockSums: new Float64Array(0),
    blockMoves: new Float64Array(0),
    blockShortfalls: new Float64Array(0),
    blockList: new Int32Array(0),
    blockStride: 0,
    gathered: 0,
    rhs: new Float64Array(iterativeSize),
    step: new Float64Array(iterativeSize),
    rowOffsets: kernels.takeIndices(n),
    rowDeltas: kernels.take(n),
    losses: kernels.take(n),
    shortfalls: kernels.take(blockSize * n),
    passRows: kernels.take(passLength),
    rounds: new Int32Array(blockSize),
    columnMax: columnStatistics(system).maxima,
    candidates: new Int32Array(n),
    candidateLoss: new Float64Array(n),
    candidateSlack: new Float64Array(n),
    order: new Int32Array(n),
    orderShortfall: new Float64Array(n),
  };
}

const matrixCopies = new WeakMap<ClearingSystem, WebAssembly.Memory>();

/**
 * The shared memory that holds A: the system's own (`relativeMemory`), or, for a system built without one (fewer
 * than MATRIX_MEMORY_MIN_BANKS banks), a copy made once. EngineInputError when A is beyond the kernels' 4 GiB.
 */
function matrixMemory(system: ClearingSystem): WebAssembly.Memory {
  if (system.relativeMemory) return system.relativeMemory;
  let memory = matrixCopies.get(system);
  if (!memory) {
    memory = sharedMatrixMemory(system.relative.length);
    new Float64Array(memory.buffer, 0, system.relative.length).set(system.relative);
    matrixCopies.set(system, memory);
  }
  return memory;
}

const columnStatisticsCache = new WeakMap<ClearingSystem, { largestSum: number; maxima: Float64Array }>();

/**
 * The columns of A (from the CSR), once per system and thread: max_i Σ_t a_ti, the largest column sum, and
 * max_j a_ji for each bank i (read by every workspace of the system; never written).
 */
function columnStatistics(system: ClearingSystem): { largestSum: number; maxima: Float64Array } {
  let statistics = columnStatisticsCache.get(system);
  if (!statistics) {
    const { creditor, relative } = system.csr;
    const sums = new Float64Array(system.nBanks);
    const maxima = new Float64Array(system.nBanks);
    for (let e = 0; e < creditor.length; e++) {
      const i = creditor[e]!;
      sums[i]! += relative[e]!;
      maxima[i] = Math.max(maxima[i]!, relative[e]!);
    }
    statistics = { largestSum: sums.reduce((a, b) => Math.max(a, b), 0), maxima };
    columnStatisticsCache.set(system, statistics);
  }
  return statistics;
}

/** inflow[base + i] += δ · a_ji for every creditor i of bank j (dense row or CSR row). */
function addRow(bw: BatchWorkspace, j: number, delta: number, base: number): void {
  const { inflow, system } = bw;
  if (bw.dense) {
    const n = system.nBanks;
    const rel = system.relative;
    const row = j * n;
    for (let i = 0; i < n; i++) inflow[base + i]! += delta * rel[row + i]!;
    return;
  }
  const { rowStart, creditor, relative } = system.csr;
  const end = rowStart[j + 1]!;
  for (let e = rowStart[j]!; e < end; e++) inflow[base + creditor[e]!]! += delta * relative[e]!;
}

/** Φ_i at the current inflow (e = c − x). */
function phi(bw: BatchWorkspace, i: number, cash: number, inflow: number): number {
  const owed = bw.system.totalObligations[i]!;
  return cash + inflow >= owed ? owed : Math.max(0, bw.alpha * cash + bw.beta * inflow);
}

/**
 * Clears scenarios 0 … count−1 of `shocks` (scenario-major, count × n, count ≤ blockSize) into the workspace.
 * Shocks are not validated here.
 */
export function clearBlock(bw: BatchWorkspace, shocks: Float64Array, count: number): void {
  const { system, payments, inflow, defaultRound, nDefaults } = bw;
  const n = system.nBanks;
  if (count > bw.blockSize || shocks.length < count * n) {
    throw new EngineInputError(`a block holds at most ${bw.blockSize} scenarios of ${n} banks, got ${count}`, 'shocks');
  }
  const active: number[] = [];
  for (let s = 0; s < count; s++) {
    const base = s * n;
    payments.set(system.totalObligations, base);
    inflow.set(system.interbankAssets, base);
    defaultRound.fill(0, base, base + n);
    nDefaults[s] = 0;
    let shockTotal = 0;
    for (let i = 0; i < n; i++) {
      const x = shocks[base + i]!;
      shockTotal += x;
      if (x > system.netWorth[i]!) markDefault(bw, s, i, 1);
    }
    bw.shockTotal[s] = shockTotal;
    bw.rounds[s] = 1;
    bw.residual[s] = 0;
    if (nDefaults[s]! > 0) active.push(s);
  }
  const swept: number[] = [];
  bw.iterativeRounds = 0;
  bw.factoredRounds = 0;
  bw.screenedRounds = 0;
  bw.complementScenarios = 0;
  bw.survivorFactors = 0;
  bw.boundDefaults = 0;
  bw.picardSteps = 0;
  bw.complement?.solved.fill(0);
  bw.complement?.screened.fill(0);
  const past = (s: number) => 2 * nDefaults[s]! > n;
  // default sets past half of the banks before any round, and on a dense network past SCREEN_SHARE of them, where
  // the run clears enough scenarios for the survivors' solver: the bound through K⁻¹ e first, for them together
  const early = active.filter(
    (s) => past(s) || (bw.complement !== null && bw.dense && nDefaults[s]! > SCREEN_SHARE * n),
  );
  screenThroughInverse(bw, shocks, early);
  // on a dense network, the other default sets past a quarter of the banks: Picard steps together first, and those
  // they take past half through the bound as well
  const middle = bw.dense
    ? active.filter((s) => !past(s) && nDefaults[s]! > PICARD_SHARE * n && !bw.complement?.screened[s])
    : [];
  picardSteps(bw, shocks, middle);
  screenThroughInverse(bw, shocks, middle.filter(past));
  const stepped = new Set(middle);
  const unverified: number[] = [];
  for (const s of active) {
    const outcome = exactRounds(bw, shocks, s, stepped.has(s) || Boolean(bw.complement?.screened[s]));
    if (outcome === 'unsolved') swept.push(s);
    else if (outcome === 'unverified') unverified.push(s);
  }
  refreshInflows(bw, unverified);
  for (const s of unverified) if (!checkResidual(bw, shocks, s)) swept.push(s);
  bw.sweptScenarios = swept.length;
  sweepUntilVerified(bw, shocks, swept);
  for (let s = 0; s < count; s++) finish(bw, shocks, s);
}

function markDefault(bw: BatchWorkspace, s: number, i: number, round: number): void {
  const n = bw.system.nBanks;
  bw.defaultRound[s * n + i] = round;
  bw.defaultList[s * n + bw.nDefaults[s]!] = i;
  bw.nDefaults[s]!++;
}

/** Pivot magnitude below which the default-set factor is treated as singular (entries of A are ≤ 1). */
const PIVOT_TOLERANCE = 1e-13;

/**
 * Borders the LU factor of K = I − β A_DDᵀ (default-list order, stride bw.exactSize, no pivoting) from its first
 * f banks to the first m: K is column diagonally dominant (column c holds 1 and −β a_{D_c D_r}, Σ_r ≤ 1), so
 * elimination without pivoting is stable. New columns of the old rows are forward-substituted, new rows eliminated
 * row by row against U (each row stays in cache): (m³ − f³)/3 flops over all rounds. False on a tiny pivot.
 */
function extendFactor(bw: BatchWorkspace, s: number, f: number, m: number): boolean {
  const { lu, beta, defaultList, exactSize: stride } = bw;
  const { nBanks: n, relative } = bw.system;
  const base = s * n;
  for (let c = f; c < m; c++) {
    const row = defaultList[base + c]! * n; // row D_c of A: column c of K
    for (let r = 0; r < m; r++) lu[r * stride + c] = (r === c ? 1 : 0) - beta * relative[row + defaultList[base + r]!]!;
  }
  for (let r = f; r < m; r++) {
    const i = defaultList[base + r]!;
    for (let c = 0; c < f; c++) lu[r * stride + c] = -beta * relative[defaultList[base + c]! * n + i]!;
  }
  for (let k = 0; k < f; k++) {
    // U_k,new −= Σ_{t<k} L_kt U_t,new, done as row updates of the new columns
    const rowK = k * stride;
    for (let t = 0; t < k; t++) {
      const l = lu[rowK + t]!;
      if (l === 0) continue;
      const rowT = t * stride;
      for (let c = f; c < m; c++) lu[rowK + c]! -= l * lu[rowT + c]!;
    }
  }
  for (let r = f; r < m; r++) {
    const rowR = r * stride;
    for (let k = 0; k < r; k++) {
      const rowK = k * stride;
      const l = lu[rowR + k]! / lu[rowK + k]!;
      lu[rowR + k] = l;
      if (l === 0) continue;
      for (let c = k + 1; c < m; c++) lu[rowR + c]! -= l * lu[rowK + c]!;
    }
    if (!(Math.abs(lu[rowR + r]!) > PIVOT_TOLERANCE)) return false;
  }
  return true;
}

/** Solves L U y = rhs (first m entries) in place with the factor of `extendFactor`. */
function solveFactor(bw: BatchWorkspace, m: number): void {
  const { lu, rhs, exactSize: stride } = bw;
  for (let r = 1; r < m; r++) {
    let sum = rhs[r]!;
    for (let c = 0; c < r; c++) sum -= lu[r * stride + c]! * rhs[c]!;
    rhs[r] = sum;
  }
  for (let r = m - 1; r >= 0; r--) {
    let sum = rhs[r]!;
    for (let c = r + 1; c < m; c++) sum -= lu[r * stride + c]! * rhs[c]!;
    rhs[r] = sum / lu[r * stride + r]!;
  }
}

/**
 * Fictitious-default rounds with exact solves while |D| ≤ exactSize: (I − β A_DDᵀ) δ_D = α e_D + β (Aᵀp)_D − p_D,
 * p_D += δ_D, then the banks the lost inflow makes insolvent join D: on a dense network (Aᵀp)_D from the gathered
 * block and the survivors by `markAtRisk`, else Aᵀp recomputed and every bank checked. Returns 'verified' when
 * a round adds no bank and the result verifies (dense: `verifyDefaultSet`, every survivor proved solvent by the
 * bound or its exact loss; else `checkResidual` at Aᵀp from scratch); 'unverified' from the survivors' rounds
 * (`complementRounds`), whose results the block verifies together; 'unsolved' when D outgrew the limit, its matrix
 * is singular or the result does not verify (the sweeps then continue from the current payments, which stay above
 * the clearing vector, and recompute Aᵀp first).
 */
type RoundsOutcome = 'verified' | 'unverified' | 'unsolved';

function exactRounds(bw: BatchWorkspace, shocks: Float64Array, s: number, screenedBefore: boolean): RoundsOutcome {
  const { system, nDefaults } = bw;
  const n = system.nBanks;
  let factored = 0;
  let screened = screenedBefore;
  bw.gathered = 0;
  for (let round = bw.rounds[s]!; ; round++) {
    bw.rounds[s] = round;
    let m = nDefaults[s]!;
    // past half of the banks, where the survivors' rounds may pay, first the banks shown to default join D (where
    // D passed half before any round, by the bound, and where it started past a quarter, by Picard steps, both in
    // clearBlock; where it grew past half in the rounds, by one Picard step, cheaper than a solve of K⁻¹ e of its
    // own), then the cheaper path
    if (!screened && bw.complement !== null && 2 * m > n) {
      screened = true;
      picardSteps(bw, shocks, [s], 1);
      round = bw.rounds[s]!;
      m = nDefaults[s]!;
    }
    if (throughSurvivors(bw, m, s)) return complementRounds(bw, shocks, s);
    if (!bw.dense) {
      const solve = solveRound(bw, shocks, s, m, factored, GAUSS_SEIDEL_SETTLED);
      if (solve === SOLVE_FAILED) return 'unsolved';
      if (solve === FACTORED) factored = m;
      // Aᵀp from scratch (as cheap as adding the |D| rows of δ): the last round's inflow is the one verified
      refreshInflow(bw, s);
      markInsolvent(bw, shocks, s, round + 1);
      if (nDefaults[s] === m) return checkResidual(bw, shocks, s) ? 'verified' : 'unsolved';
      continue;
    }
    // on a dense network the first round only has to show whom its losses make insolvent: its Gauss–Seidel solve
    // stops at SCREENING_SETTLED, and the next round (or, when nobody is marked, the same default set once more)
    // solves to the full precision from there
    const screening = round === 1;
    let solve = solveRound(bw, shocks, s, m, factored, screening ? SCREENING_SETTLED : GAUSS_SEIDEL_SETTLED);
    let marked = solve !== SOLVE_FAILED && survivorsDefault(bw, shocks, s, m, round + 1);
    if (screening && !marked && (solve === ITERATIVE || solve === ITERATIVE_CLAMPED)) {
      solve = solveRound(bw, shocks, s, m, factored, GAUSS_SEIDEL_SETTLED);
      marked = solve !== SOLVE_FAILED && survivorsDefault(bw, shocks, s, m, round + 1);
    }
    if (solve === FACTORED) factored = m;
    if (marked) continue;
    return solve !== SOLVE_FAILED && verifyDefaultSet(bw, shocks, s, m) ? 'verified' : 'unsolved';
  }
}

/**
 * After a round on the first m banks of D (dense networks): the survivors its losses make insolvent marked
 * (`markAtRisk`), then (Aᵀp)_D from the gathered block — bordered to the banks just marked, whose inflow the next
 * round's right-hand side reads — for that round or for the verification. True when any bank is marked (counted in
 * bw.screenedRounds).
 */
function survivorsDefault(bw: BatchWorkspace, shocks: Float64Array, s: number, m: number, round: number): boolean {
  if (!markAtRisk(bw, shocks, s, m, round)) {
    defaultSetInflow(bw, s, m);
    return false;
  }
  bw.screenedRounds++;
  const grown = bw.nDefaults[s]!;
  if (grown <= bw.iterativeSize) {
    gatherDefaultBlock(bw, s, grown);
    defaultSetInflow(bw, s, grown);
  } else refreshInflow(bw, s); // D outgrew the block: the survivors' rounds or the sweeps take over
  return true;
}

/**
 * (Aᵀp)_D of scenario s after a round on its first m banks of D, from the gathered block: for each bank D_r,
 * Σ_j p̄_{j D_r} − Σ_c (p̄_{D_c} − p_{D_c}) a_{D_c D_r} (the shortfalls of D times the block, by the product kernel;
 * only banks of D owe less than p̄), into bw.inflow. m² flops instead of the 2·|D|·n of `refreshInflow`.
 */
function defaultSetInflow(bw: BatchWorkspace, s: number, m: number): void {
  const { system, payments, inflow, defaultList, block, blockSums: sums, blockShortfalls: shortfalls } = bw;
  const base = s * system.nBanks;
  for (let r = 0; r < m; r++) {
    const j = defaultList[base + r]!;
    shortfalls[r] = system.totalObligations[j]! - payments[base + j]!;
    sums[r] = system.interbankAssets[j]!;
  }
  KernelWorkspace.holding(block)!.subtractProduct(sums, 0, m, shortfalls, 0, m, block, 0, bw.blockStride, 1, m, m);
  for (let r = 0; r < m; r++) inflow[base + defaultList[base + r]!] = sums[r]!;
}

/**
 * Verifies scenario s once `markAtRisk` has found no survivor that the losses of its m defaulted banks make
 * insolvent: every survivor then pays p̄_i = Φ_i(p) (proved by the bound, or by its exact loss), so the fixed-point
 * residual is that of the banks of D, at the inflows of `defaultSetInflow`. True when it is within
 * FIXED_POINT_TOLERANCE (recorded in bw.residual).
 */
function verifyDefaultSet(bw: BatchWorkspace, shocks: Float64Array, s: number, m: number): boolean {
  const { system, payments, inflow, defaultList } = bw;
  const base = s * system.nBanks;
  let residual = 0;
  for (let r = 0; r < m; r++) {
    const j = defaultList[base + r]!;
    const next = phi(bw, j, system.outsideAssets[j]! - shocks[base + j]!, inflow[base + j]!);
    residual = Math.max(residual, Math.abs(next - payments[base + j]!));
  }
  bw.residual[s] = residual / bw.scale;
  return bw.residual[s] <= FIXED_POINT_TOLERANCE;
}

/** `solveRound`'s outcomes: by Gauss–Seidel (with or without a payment clamped at zero), by the LU, or not solved. */
const ITERATIVE = 0;
const ITERATIVE_CLAMPED = 1;
const FACTORED = 2;
const SOLVE_FAILED = -1;

/**
 * One round's solve for the first m banks of D, (I − β A_DDᵀ) δ_D = α e_D + β (Aᵀp)_D − p_D, applied to p (clamped
 * at zero): Gauss–Seidel until no entry moves by more than `settled` · max p̄, else the LU bordered from its first
 * `factored` banks (which then holds all m). ITERATIVE, ITERATIVE_CLAMPED, FACTORED, or SOLVE_FAILED when the LU
 * cannot solve (|D| beyond exactSize, or a tiny pivot).
 */
function solveRound(
  bw: BatchWorkspace,
  shocks: Float64Array,
  s: number,
  m: number,
  factored: number,
  settled: number,
): number {
  const { system, payments, inflow, defaultList, rhs, step, alpha, beta } = bw;
  const base = s * system.nBanks;
  const { outsideAssets } = system;
  for (let r = 0; r < m; r++) {
    const j = defaultList[base + r]!;
    rhs[r] = alpha * (outsideAssets[j]! - shocks[base + j]!) + beta * inflow[base + j]! - payments[base + j]!;
  }
  const iterative = gaussSeidelSolve(bw, s, m, settled);
  if (iterative) bw.iterativeRounds++;
  else {
    if (m > bw.exactSize || !extendFactor(bw, s, factored, m)) return SOLVE_FAILED;
    solveFactor(bw, m);
    step.set(rhs.subarray(0, m));
    bw.factoredRounds++;
  }
  let clamped = false;
  for (let r = 0; r < m; r++) {
    const j = defaultList[base + r]!;
    const next = payments[base + j]! + step[r]!;
    clamped ||= next < 0;
    payments[base + j] = Math.max(0, next);
  }
  return !iterative ? FACTORED : clamped ? ITERATIVE_CLAMPED : ITERATIVE;
}

/**
 * Marks the banks of scenario s that the round just solved (first m banks of D) has made insolvent, without
 * recomputing Aᵀp: a solvent bank i loses Σ_{j∈D} s_j a_ji ≤ (Σ_j s_j) · max_j a_ji of inflow (s_j = p̄_j − p_j), so
 * only the banks whose net worth after the shock (their slack) is below that bound are candidates; every other
 * survivor is proved solvent. The candidates' losses are summed over the rows of D in decreasing shortfall, eight
 * rows at a time, and a candidate leaves as soon as it is decided: insolvent once its partial loss exceeds its
 * slack (the rest only adds), solvent once the partial loss plus (the shortfall still to come) · max_j a_ji is
 * within it. Both bounds are widened by BOUND_MARGIN against rounding. True when any bank is marked (its inflow is
 * then left to `defaultSetInflow`).
 */
function markAtRisk(bw: BatchWorkspace, shocks: Float64Array, s: number, m: number, round: number): boolean {
  const { system, payments, defaultRound, defaultList, candidates, candidateLoss, candidateSlack, columnMax } = bw;
  const { order, orderShortfall } = bw;
  const n = system.nBanks;
  const base = s * n;
  const { outsideAssets, interbankAssets, totalObligations, relative } = system;
  let shortfall = 0;
  for (let r = 0; r < m; r++) {
    const j = defaultList[base + r]!;
    orderShortfall[r] = totalObligations[j]! - payments[base + j]!;
    shortfall += orderShortfall[r]!;
    order[r] = r;
  }
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (defaultRound[base + i] !== 0) continue;
    const slack = outsideAssets[i]! - shocks[base + i]! + interbankAssets[i]! - totalObligations[i]!;
    if (slack < shortfall * columnMax[i]! * (1 + BOUND_MARGIN)) {
      candidates[count] = i;
      candidateLoss[count] = 0;
      candidateSlack[count++] = slack;
    }
  }
  if (count === 0) return false;
  if (count * CANDIDATES_FOR_ROWS > n) {
    // many candidates: every bank's loss Σ_{j∈D} s_j a_ji at once, by the rows kernel over the rows of D (read in
    // place, eight per pass over the losses), instead of scattered reads a candidate at a time
    const { losses, rowOffsets, rowDeltas } = bw;
    losses.fill(0);
    for (let r = 0; r < m; r++) {
      rowOffsets[r] = defaultList[base + r]! * n;
      rowDeltas[r] = -orderShortfall[r]!;
    }
    bw.kernels.subtractRows(bw.matrix, losses, 0, n, rowOffsets, rowDeltas, m);
    let marked = false;
    for (let q = 0; q < count; q++) {
      if (losses[candidates[q]!]! <= candidateSlack[q]!) continue;
      markDefault(bw, s, candidates[q]!, round);
      marked = true;
    }
    return marked;
  }
  order.subarray(0, m).sort((a, b) => orderShortfall[b]! - orderShortfall[a]!);
  let marked = false;
  let remaining = shortfall;
  for (let k = 0; k < m && count > 0; k += ROWS_AT_ONCE) {
    for (let t = k; t < Math.min(m, k + ROWS_AT_ONCE); t++) {
      const lost = orderShortfall[order[t]!]!;
      const row = defaultList[base + order[t]!]! * n;
      remaining -= lost;
      for (let q = 0; q < count; q++) candidateLoss[q]! += lost * relative[row + candidates[q]!]!;
    }
    const toCome = (Math.max(0, remaining) + shortfall * BOUND_MARGIN) * (1 + BOUND_MARGIN);
    let kept = 0;
    for (let q = 0; q < count; q++) {
      const i = candidates[q]!;
      const loss = candidateLoss[q]!;
      const slack = candidateSlack[q]!;
      if (loss > slack) {
        markDefault(bw, s, i, round);
        marked = true;
      } else if (loss + toCome * columnMax[i]! > slack) {
        candidates[kept] = i;
        candidateLoss[kept] = loss;
        candidateSlack[kept++] = slack;
      }
    }
    count = kept;
  }
  return marked;
}

/**
 * Whether a default set of m banks is solved through the survivors: beyond the Gauss–Seidel rounds' limit (the
 * sweeps take over when the survivors' solver is not wanted), or where their factor costs less (SURVIVORS_FACTOR).
 */
function throughSurvivors(bw: BatchWorkspace, m: number, s: number): boolean {
  if (m > bw.iterativeSize) return true;
  if (!bw.complement) return false;
  const survivors = bw.system.nBanks - m;
  // with the scenario's K⁻¹ e solved among the block's (`screenThroughInverse`), the survivors' Gauss–Seidel rounds
  // cost less than D's once S is the smaller set; a solve of its own reads all of K's factors for one scenario
  return bw.complement.solved[s] ? 4 * survivors < 3 * m : survivors ** 3 < SURVIVORS_FACTOR * m * m;
}

/**
 * Rounds for a default set that `throughSurvivors` sends here, solved through the survivors S (the complement of D): with
 * K = I − βAᵀ factorised once, the payments of a round are p = K⁻¹(α e + E_S λ), which satisfies the defaulted
 * banks' equations (K p)_D = α e_D for any λ; p_S = p̄_S fixes λ by the |S| × |S| system (K⁻¹)_SS λ = p̄_S − (K⁻¹ α e)_S
 * (a principal submatrix of the inverse of an M-matrix: nonsingular). It is solved by Gauss–Seidel
 * (`iterateSurvivors`: |S|² an iteration, a few iterations; each later round goes on from the last λ without the
 * survivors that defaulted), else by its LU where that contracts too slowly: |S|³/3 flops, the later rounds only
 * 2|S|² per survivor that defaulted since, while fewer than a third have (`dropDefaulted`). K⁻¹ α e is one solve
 * with the factors (2n²) per scenario; the survivors' inflow follows from their own equation,
 * (Aᵀp)_i = (p̄_i − α e_i − λ_i)/β, so new defaults are found without Aᵀp. Before the first round, the bound
 * through K⁻¹ e (`boundScreen`) marks the banks that default at the greatest clearing vector, shrinking S to about
 * the final survivors (at 1,000 banks under shocks up to 100%: |S| from about 300 to 60). Every step stays above
 * the greatest clearing vector, as the rounds of `exactRounds`. Returns 'unverified' with the payments set, for
 * the block to verify together (`refreshInflows`, `checkResidual`); 'unsolved' when the solver is not built, a
 * system is singular or a payment would fall below zero (the sweeps then continue from the current payments).
 */
function complementRounds(bw: BatchWorkspace, shocks: Float64Array, s: number): RoundsOutcome {
  const solver = complementSolver(bw);
  if (!solver) return 'unsolved';
  const { system, payments, defaultRound, defaultList, nDefaults, alpha, beta } = bw;
  const n = system.nBanks;
  const base = s * n;
  const { outsideAssets, totalObligations } = system;
  const cash = (i: number) => outsideAssets[i]! - shocks[base + i]!;
  boundScreen(bw, shocks, s);
  const { inverse, survivors, multipliers, left } = solver;
  if (!solver.solved[s]) solveShocks(bw, shocks, [s]);
  // K⁻¹ α e, from the K⁻¹ e that the screen read
  const solution = solver.shockSolutions.subarray(base, base + n);
  if (alpha !== 1) for (let i = 0; i < n; i++) solution[i]! *= alpha;
  // survivors[0 … m) were iterated or factorised; `left` marks those that have defaulted since (`removed` of them)
  // Gauss–Seidel on M λ = b first (`iterateSurvivors`), the LU of M where it contracts too slowly
  const settled = (GAUSS_SEIDEL_SETTLED * bw.scale) / bw.residualWeight;
  let iterative = true;
  let m = 0;
  let removed = 0;
  for (let factorise = true; ; ) {
    if (factorise) {
      m = 0;
      removed = 0;
      for (let i = 0; i < n; i++) if (defaultRound[base + i] === 0) survivors[m++] = i;
      if (m === 0) break;
      left.fill(0, 0, m);
      iterative &&= iterateSurvivors(solver, solution, totalObligations, m, beta, settled, true);
      if (!iterative) {
        bw.survivorFactors++;
        if (!factoriseSurvivors(solver, solution, totalObligations, m)) return 'unsolved';
      }
    } else if (iterative) {
      iterative = iterateSurvivors(solver, solution, totalObligations, m, beta, settled, false);
      if (!iterative) {
        // start the survivors left over with the LU
        factorise = true;
        continue;
      }
    } else if (!dropDefaulted(solver, m, removed)) return 'unsolved';
    bw.rounds[s]!++;
    let added = 0;
    for (let a = 0; a < m; a++) {
      if (left[a]) continue;
      const i = survivors[a]!;
      const survivorInflow = (totalObligations[i]! - alpha * cash(i) - multipliers[a]!) / beta;
      if (cash(i) + survivorInflow >= totalObligations[i]!) continue;
      markDefault(bw, s, i, bw.rounds[s]!);
      left[a] = 1;
      if (iterative) releaseSurvivor(solver, a, m);
      solver.removed[removed + added++] = a;
    }
    if (added === 0) break;
    removed += added;
    // a new factor costs 2m³/3 flops, the columns of the old one's inverse for the defaulted 2m² each; Gauss–Seidel
    // goes on from the multipliers it has
    factorise = !iterative && 3 * removed > m;
  }
  // p = K⁻¹ α e + Σ_a λ_a (column a of K⁻¹) over the survivors left (moved to the front of the buffers first)
  let kept = 0;
  for (let a = 0; a < m; a++) {
    if (left[a]) continue;
    survivors[kept] = survivors[a]!;
    multipliers[kept++] = multipliers[a]!;
  }
  inverse.addColumns(solution, survivors.subarray(0, kept), multipliers.subarray(0, kept));
  let clamped = false;
  for (let r = 0; r < nDefaults[s]!; r++) {
    const j = defaultList[base + r]!;
    clamped ||= solution[j]! < 0;
    payments[base + j] = Math.max(0, solution[j]!);
  }
  bw.complementScenarios++;
  return clamped ? 'unsolved' : 'unverified';
}

/**
 * Marks, in a round of their own, the solvent banks of scenario s that a bound shows to default at the greatest
 * clearing vector p*, without a product with A; true when any is marked. With e = c − x ≥ 0, every bank has
 * p*_i − β(Aᵀp*)_i ≤ e_i + (1 − β)(Aᵀp̄)_i =: e'_i (a defaulted bank pays α e_i + β(Aᵀp*)_i or 0; a solvent one
 * p̄_i ≤ e_i + (Aᵀp*)_i), and K⁻¹ = (I − βAᵀ)⁻¹ ≥ 0, so p* ≤ u = K⁻¹ e' = K⁻¹ e + (1 − β) K⁻¹ Aᵀp̄ and
 * (Aᵀp*)_i ≤ (Aᵀu)_i = (u_i − e'_i)/β. A bank with e_i + (u_i − e'_i)/β < p̄_i (for α = β = 1: u_i < p̄_i) is
 * insolvent at p*; the test is widened by BOUND_MARGIN · max p̄ against the rounding of the solve. At 3,000 dense
 * banks under shocks up to 100% of outside assets it finds all but about one of the defaults (docs/scale.md).
 * Nothing is marked where the survivors' solver is not built (as for β = 0), nor at a second call for the same
 * scenario of the block (u does not depend on D).
 */
function boundScreen(bw: BatchWorkspace, shocks: Float64Array, s: number): boolean {
  const solver = complementSolver(bw);
  if (!solver || solver.screened[s]) return false;
  solver.screened[s] = 1;
  if (!solver.solved[s]) solveShocks(bw, shocks, [s]);
  const { system, defaultRound, beta } = bw;
  const n = system.nBanks;
  const base = s * n;
  const { outsideAssets, totalObligations, interbankAssets } = system;
  const solution = solver.shockSolutions; // K⁻¹ e
  const assets = beta === 1 ? null : assetSolution(bw, solver); // K⁻¹ Aᵀp̄
  const margin = BOUND_MARGIN * bw.scale;
  const before = bw.nDefaults[s]!;
  const round = bw.rounds[s]! + 1;
  for (let i = 0; i < n; i++) {
    if (defaultRound[base + i] !== 0) continue;
    const cash = outsideAssets[i]! - shocks[base + i]!;
    let inflowBound = solution[base + i]! - cash;
    if (assets) inflowBound = (inflowBound + (1 - beta) * (assets[i]! - interbankAssets[i]!)) / beta;
    if (cash + inflowBound < totalObligations[i]! - margin) markDefault(bw, s, i, round);
  }
  if (bw.nDefaults[s] === before) return false;
  bw.boundDefaults += bw.nDefaults[s]! - before;
  bw.rounds[s] = round;
  return true;
}

/**
 * Solves together the columns of K⁻¹ that the survivors' rounds of the scenarios `list` will read (their survivors,
 * where `throughSurvivors` sends them there): solved a few at a time, as each scenario meets them, every column
 * would cost a pass over the factors of its own.
 */
function prefetchSurvivors(bw: BatchWorkspace, solver: ComplementSolver, list: number[]): void {
  const n = bw.system.nBanks;
  const wanted: number[] = [];
  const seen = new Uint8Array(n);
  for (const s of list) {
    if (!throughSurvivors(bw, bw.nDefaults[s]!, s)) continue;
    for (let i = 0; i < n; i++) {
      if (bw.defaultRound[s * n + i] !== 0 || seen[i]) continue;
      seen[i] = 1;
      wanted.push(i);
    }
  }
  solver.inverse.prefetch(wanted);
}

/** K⁻¹ Aᵀp̄ (`boundScreen` for β < 1), solved once per solver. */
function assetSolution(bw: BatchWorkspace, solver: ComplementSolver): Float64Array {
  if (solver.assets) return solver.assets;
  const { nBanks: n, interbankAssets } = bw.system;
  const assets = new Float64Array(n);
  solver.inverse.solve(
    1,
    (rhs, stride) => {
      for (let i = 0; i < n; i++) rhs[i * stride] = interbankAssets[i]!;
    },
    (result, stride) => {
      for (let i = 0; i < n; i++) assets[i] = result[i * stride]!;
    },
  );
  return (solver.assets = assets);
}

/**
 * Picard steps for the scenarios `list` of the block together (dense networks): p_D ← Φ_D(p) at the current Aᵀp,
 * Aᵀp recomputed for all of them as one product (`refreshInflows`), and the banks that default even then join D in
 * a round of their own; a scenario stops when a step adds no bank (at most `maxSteps`). From payments above the
 * greatest clearing vector every step stays above it, so each bank marked is insolvent there too, and the rounds then
 * start from a default set close to the final one instead of growing it round by round (measured at 1,000 and
 * 3,000 dense banks under shocks up to 20–30%: 0.55–0.8× the processor time, under half of the rounds). Aᵀp is left
 * fresh for every bank.
 */
function picardSteps(bw: BatchWorkspace, shocks: Float64Array, list: number[], maxSteps = MAX_PICARD_STEPS): void {
  const { system, payments, inflow, defaultList, nDefaults } = bw;
  const n = system.nBanks;
  let current = list;
  for (let step = 0; step < maxSteps && current.length > 0; step++) {
    for (const s of current) {
      const base = s * n;
      for (let r = 0; r < nDefaults[s]!; r++) {
        const j = defaultList[base + r]!;
        payments[base + j] = phi(bw, j, system.outsideAssets[j]! - shocks[base + j]!, inflow[base + j]!);
      }
    }
    refreshInflows(bw, current);
    bw.picardSteps += current.length;
    current = current.filter((s) => {
      const before = nDefaults[s]!;
      markInsolvent(bw, shocks, s, ++bw.rounds[s]!);
      return nDefaults[s]! > before;
    });
  }
}

/** Marks, in `round`, the solvent banks of scenario s that its (fresh) Aᵀp leaves unable to pay what they owe. */
function markInsolvent(bw: BatchWorkspace, shocks: Float64Array, s: number, round: number): void {
  const { system, inflow, defaultRound } = bw;
  const n = system.nBanks;
  const base = s * n;
  const { outsideAssets, totalObligations } = system;
  for (let i = 0; i < n; i++) {
    if (defaultRound[base + i] !== 0) continue;
    if (outsideAssets[i]! - shocks[base + i]! + inflow[base + i]! < totalObligations[i]!) markDefault(bw, s, i, round);
  }
}

/**
 * Gauss–Seidel on M λ = b, M = (K⁻¹)_SS, b = p̄_S − (K⁻¹ α e)_S, over the survivors' positions a < m not `left`
 * (the others held at λ_a = 0), into solver.multipliers: written (I − β Bᵀ) λ = b with B = (I − Mᵀ)/β, the form
 * `gaussSeidelIterations` solves for a default set, so that a move of λ_t updates every sum from row t of B.
 * `fresh`: M gathered, B and b written and λ = 0; otherwise it goes on from the last round's λ (the survivors that
 * left since released by `releaseSurvivor`). K is a nonsingular M-matrix, so M, a principal submatrix of its
 * inverse, is an inverse M-matrix with the largest entry of each column on the diagonal; on the networks measured
 * it contracts in a few iterations, |S|² each, where the LU costs 2|S|³/3. True when every equation's residual
 * |b_c − (Mλ)_c|, read from the sums, is within `settled`; false when it contracts too slowly (the caller then
 * factorises M).
 */
function iterateSurvivors(
  solver: ComplementSolver,
  solution: Float64Array,
  totalObligations: Float64Array,
  m: number,
  beta: number,
  settled: number,
  fresh: boolean,
): boolean {
  const { survivors, multipliers: lambda, target, left } = solver;
  if (fresh) {
    if (!solver.iteration || solver.iteration.capacity < m) {
      const space = new KernelWorkspace(m * m + m + ROWS_AT_ONCE);
      solver.iteration = {
        space,
        capacity: m,
        block: space.take(m * m),
        sums: space.take(m),
        moves: space.take(ROWS_AT_ONCE),
      };
    }
    const { block, sums } = solver.iteration;
    // Mᵀ (row t: column t of M), then B = (I − Mᵀ)/β in place
    solver.inverse.principalSubmatrix(survivors.subarray(0, m), block, { transposed: true });
    const scale = -1 / beta;
    for (let k = 0; k < m * m; k++) block[k]! *= scale;
    for (let a = 0; a < m; a++) block[a * m + a]! -= scale;
    writeSurvivorsTarget(solver, solution, totalObligations, m);
    lambda.fill(0, 0, m);
    sums.fill(0, 0, m);
  }
  const { space, block, sums, moves } = solver.iteration!;
  // (Mλ)_c = λ_c − β (Bᵀλ)_c
  const residualWithin = () => {
    for (let c = 0; c < m; c++)
      if (!left[c] && Math.abs(target[c]! - lambda[c]! + beta * sums[c]!) > settled) return false;
    return true;
  };
  return gaussSeidelIterations(space, block, m, sums, moves, lambda, target, beta, m, left, residualWithin);
}

/** solver.target[a] = b_a = p̄_i − (K⁻¹ α e)_i for the survivors i = survivors[a], a < m. */
function writeSurvivorsTarget(
  solver: ComplementSolver,
  solution: Float64Array,
  totalObligations: Float64Array,
  m: number,
): void {
  const { survivors, target } = solver;
  for (let a = 0; a < m; a++) target[a] = totalObligations[survivors[a]!]! - solution[survivors[a]!]!;
}

/** Takes the survivor at position a out of `iterateSurvivors`' system: λ_a to zero, and the sums without it. */
function releaseSurvivor(solver: ComplementSolver, a: number, m: number): void {
  const { space, block, sums, moves } = solver.iteration!;
  moves[0] = solver.multipliers[a]!;
  space.subtractProduct(sums, 0, m, moves, 0, 1, block, a * m, m, 1, m, 1);
  solver.multipliers[a] = 0;
}

/**
 * Gathers M = (K⁻¹)_SS for the survivors survivors[0 … m), factorises it into solver.capacity and solves
 * M λ = p̄_S − (K⁻¹ α e)_S into solver.multipliers (kept, with its right-hand side, for `dropDefaulted`). False when M
 * is singular.
 */
function factoriseSurvivors(
  solver: ComplementSolver,
  solution: Float64Array,
  totalObligations: Float64Array,
  m: number,
): boolean {
  const { inverse, survivors, multipliers } = solver;
  if (solver.capacity.length < m * m) solver.capacity = InverseColumns.workspaceFor(m).take(m * m);
  const capacity = solver.capacity;
  inverse.principalSubmatrix(survivors.subarray(0, m), capacity);
  writeSurvivorsTarget(solver, solution, totalObligations, m);
  multipliers.set(solver.target.subarray(0, m));
  if (!factorises(capacity, m, solver.pivots)) return false;
  luSolve(capacity, m, solver.pivots, multipliers);
  solver.factoredMultipliers.set(multipliers.subarray(0, m));
  solver.factorInverse = new InverseColumns(capacity, m, solver.pivots);
  return true;
}

/**
 * λ for the survivors that are left after the first `removed` of solver.removed (positions in survivors[0 … m))
 * defaulted, from the factor of `factoriseSurvivors` instead of a new one: with W = M⁻¹ and R the defaulted
 * positions, the λ̃ with λ̃_R = 0 and (M λ̃)_a = b_a for every other a is λ̃ = z − W_:R W_RR⁻¹ z_R, where
 * z = M⁻¹ b − W_:R b_R (W_RR: a principal submatrix of the inverse of an M-matrix, nonsingular). Each defaulted
 * position costs one solve with the factor (2m² flops, its column of W, kept until the next factor). False when W_RR
 * is singular.
 */
function dropDefaulted(solver: ComplementSolver, m: number, removed: number): boolean {
  const { multipliers, target, factoredMultipliers } = solver;
  const positions = solver.removed.subarray(0, removed);
  const inverse = solver.factorInverse!;
  // z = M⁻¹ b − W_:R b_R, then λ̃ = z − W_:R W_RR⁻¹ z_R
  multipliers.set(factoredMultipliers.subarray(0, m));
  inverse.addColumns(
    multipliers,
    positions,
    Float64Array.from(positions, (r) => -target[r]!),
  );
  const corner = new Float64Array(removed * removed);
  inverse.principalSubmatrix(positions, corner);
  const correction = Float64Array.from(positions, (r) => multipliers[r]!);
  const cornerPivots = new Int32Array(removed);
  if (!factorises(corner, removed, cornerPivots)) return false;
  luSolve(corner, removed, cornerPivots, correction);
  inverse.addColumns(
    multipliers,
    positions,
    correction.map((value) => -value),
  );
  for (const r of positions) multipliers[r] = 0;
  return true;
}

/** The workspace's survivors' solver, built at the first call where wanted; null where not (or K is singular). */
function complementSolver(bw: BatchWorkspace): ComplementSolver | null {
  if (bw.complement !== undefined) return bw.complement;
  const n = bw.system.nBanks;
  const held = bw.shared
    ? factoriseShared(bw.shared.share, n, bw.shared.shard, (factors) => writeComplement(bw, factors))
    : ownFactor(bw);
  if (!held) return (bw.complement = null);
  const { factors, pivots } = held;
  return (bw.complement = {
    inverse: new InverseColumns(factors, n, pivots, {
      lasting: true,
      shared: bw.shared && sharedColumns(bw.shared.share),
    }),
    shockSolutions: new Float64Array(bw.blockSize * n),
    solved: new Uint8Array(bw.blockSize),
    screened: new Uint8Array(bw.blockSize),
    assets: null,
    survivors: new Int32Array(n),
    capacity: new Float64Array(0),
    pivots: new Int32Array(n),
    multipliers: new Float64Array(n),
    target: new Float64Array(n),
    factoredMultipliers: new Float64Array(n),
    removed: new Int32Array(n),
    left: new Uint8Array(n),
    factorInverse: null,
    iteration: null,
  });
}

/** K = I − βAᵀ written into `factors` (n × n). */
function writeComplement(bw: BatchWorkspace, factors: Float64Array): void {
  const { nBanks: n, relative } = bw.system;
  for (let j = 0; j < n; j++) {
    const row = j * n;
    for (let i = 0; i < n; i++) factors[i * n + j] = (i === j ? 1 : 0) - bw.beta * relative[row + i]!;
  }
}

/** This workspace's own LU of K, in a workspace with a slot for each thread; undefined where K is singular. */
function ownFactor(bw: BatchWorkspace): { factors: Float64Array; pivots: Int32Array } | undefined {
  const n = bw.system.nBanks;
  const slots = kernelShares();
  if (InverseColumns.workspaceDoubles(n, slots) > KERNEL_MAX_DOUBLES) return undefined;
  const factors = InverseColumns.workspaceFor(n, slots).take(n * n);
  writeComplement(bw, factors);
  const pivots = new Int32Array(n);
  return factorises(factors, n, pivots) ? { factors, pivots } : undefined;
}

/**
 * The survivors' solver that the shards of one run (worker threads of one process) share (shared-lu.ts): the LU of
 * K = I − βAᵀ, factorised once by the first shard that needs it, and the columns of K⁻¹, each solved once. A shard
 * clears to the digit as with a solver of its own; at 3,000 banks one 72 MB factor instead of one per shard.
 */
export type ComplementShare = SharedLu;

/** The share for `shards` shards of a run on `system`, or undefined where the batched engine would not clear it. */
export function complementShare(system: ClearingSystem, shards: number): ComplementShare | undefined {
  return prefersBatchedClearing(system) ? sharedLu(system.nBanks, shards) : undefined;
}

/**
 * K⁻¹ α e for the scenarios `which` of the block (e = c − x), solved together (`InverseColumns.solve`: the factors
 * are read once for all of them; `complementRounds` then turns a row into the scenario's payments). A scenario's digits do
 * not depend on the others solved with it. Nothing is done where the survivors' solver is not wanted.
 */
function solveShocks(bw: BatchWorkspace, shocks: Float64Array, which: number[]): void {
  if (which.length === 0 || bw.complement === null) return;
  const solver = complementSolver(bw);
  if (!solver) return;
  const { nBanks: n, outsideAssets } = bw.system;
  const { inverse } = solver;
  for (let start = 0; start < which.length; start += inverse.width) {
    const chunk = which.slice(start, start + inverse.width);
    inverse.solve(
      chunk.length,
      (rhs, stride) =>
        chunk.forEach((s, t) => {
          for (let i = 0; i < n; i++) rhs[i * stride + t] = outsideAssets[i]! - shocks[s * n + i]!;
        }),
      (solution, stride) =>
        chunk.forEach((s, t) => {
          const row = solver.shockSolutions.subarray(s * n, (s + 1) * n);
          for (let i = 0; i < n; i++) row[i] = solution[i * stride + t]!;
          solver.solved[s] = 1;
        }),
    );
  }
}

/**
 * For large default sets before their rounds (past half of the banks, or SCREEN_SHARE on a dense network): K⁻¹ e
 * solved for the scenarios `list` together, the banks the bound shows to default marked (`boundScreen`, which
 * flags each scenario in solver.screened), and the columns of K⁻¹ that their survivors' rounds read solved together.
 */
function screenThroughInverse(bw: BatchWorkspace, shocks: Float64Array, list: number[]): void {
  solveShocks(bw, shocks, list);
  if (!bw.complement) return;
  for (const s of list) boundScreen(bw, shocks, s);
  prefetchSurvivors(bw, bw.complement, list);
}

/** Iterations after which a Gauss–Seidel solve that has not settled gives way to the LU. */
const GAUSS_SEIDEL_MAX_ITERATIONS = 60;

/**
 * Gauss–Seidel on (I − β A_DDᵀ) δ = rhs (first m entries) from δ = 0 into bw.step, with A_DD gathered into bw.block
 * (bordered from the banks already gathered). The sums (A_DDᵀ δ)_r are kept in bw.blockSums and updated by row c
 * of A_DD whenever δ_c moves, so every access to the block is contiguous. True when no entry moved by more than
 * settledShare · max p̄ / residualWeight in the last iteration; false when it contracts too slowly (the LU then
 * solves).
 */
function gaussSeidelSolve(bw: BatchWorkspace, s: number, m: number, settledShare: number): boolean {
  const space = gatherDefaultBlock(bw, s, m);
  const { block, blockSums: sums, blockMoves: moves, rhs, step, beta, blockStride: stride } = bw;
  const settled = (settledShare * bw.scale) / bw.residualWeight;
  step.fill(0, 0, m);
  sums.fill(0, 0, m);
  return gaussSeidelIterations(
    space,
    block,
    stride,
    sums,
    moves,
    step,
    rhs,
    beta,
    m,
    null,
    (change) => change <= settled,
  );
}

/**
 * Gauss–Seidel iterations on (I − β Bᵀ) x = rhs for x[0 … m) from its value on entry, with sums = Bᵀx kept up to
 * date (B row-major with row stride `stride`, taken with sums and moves from the kernel workspace `space`; entries
 * where `held` is 1 stay as they are): x_c for c0 … c0+7 in turn (each sees the moves before it through the 8 × 8
 * corner of B), then the group's eight rows of B added to the sums at once by the product kernel — the iterates of
 * one entry at a time, an eighth of the traffic. True once `settled(change)` holds after an iteration (change: its
 * largest move); false when an iteration after the fourth shrinks the change by less than half, or after
 * GAUSS_SEIDEL_MAX_ITERATIONS.
 */
function gaussSeidelIterations(
  space: KernelWorkspace,
  block: Float64Array,
  stride: number,
  sums: Float64Array,
  moves: Float64Array,
  x: Float64Array,
  rhs: Float64Array,
  beta: number,
  m: number,
  held: Uint8Array | null,
  settled: (change: number) => boolean,
): boolean {
  let previous = Infinity;
  for (let iteration = 1; iteration <= GAUSS_SEIDEL_MAX_ITERATIONS; iteration++) {
    let change = 0;
    for (let c0 = 0; c0 < m; c0 += ROWS_AT_ONCE) {
      const width = Math.min(ROWS_AT_ONCE, m - c0);
      for (let k = 0; k < width; k++) {
        const c = c0 + k;
        if (held && held[c]) {
          moves[k] = 0;
          continue;
        }
        let sum = sums[c]!;
        for (let t = 0; t < k; t++) sum -= moves[t]! * block[(c0 + t) * stride + c]!;
        const diagonal = block[c * stride + c]!;
        const next = (rhs[c]! + beta * (sum - diagonal * x[c]!)) / (1 - beta * diagonal);
        moves[k] = x[c]! - next;
        x[c] = next;
        change = Math.max(change, Math.abs(moves[k]!));
      }
      space.subtractProduct(sums, 0, m, moves, 0, width, block, c0 * stride, stride, 1, m, width);
    }
    if (settled(change)) return true;
    if ((iteration >= 4 && change > 0.5 * previous) || !(change < Infinity)) return false;
    previous = change;
  }
  return false;
}

/**
 * Borders bw.block (row c: a_{D_c D_r} for r < m) from the banks already gathered to the first m of D, growing it
 * (and gathering afresh) when m exceeds its stride: the new columns of the old rows, then the new rows, by the
 * gather kernel (eight rows of A at a time, so that eight scattered reads are in flight together).
 */
function gatherDefaultBlock(bw: BatchWorkspace, s: number, m: number): KernelWorkspace {
  if (m > bw.blockStride) {
    const stride = Math.min(bw.iterativeSize, Math.max(m, 2 * bw.blockStride, 64));
    const space = new KernelWorkspace(stride * stride + 2 * stride + ROWS_AT_ONCE + Math.ceil(stride / 2));
    bw.blockStride = stride;
    bw.block = space.take(stride * stride);
    bw.blockSums = space.take(stride);
    bw.blockMoves = space.take(ROWS_AT_ONCE);
    bw.blockShortfalls = space.take(stride);
    bw.blockList = space.takeIndices(stride);
    bw.gathered = 0;
  }
  const space = KernelWorkspace.holding(bw.block)!;
  const f = bw.gathered;
  const n = bw.system.nBanks;
  bw.blockList.set(bw.defaultList.subarray(s * n + f, s * n + m), f);
  space.gather(bw.matrix, bw.block, bw.blockStride, bw.blockList, n, 0, f, f, m);
  space.gather(bw.matrix, bw.block, bw.blockStride, bw.blockList, n, f, m, 0, m);
  bw.gathered = m;
  return space;
}

/** Aᵀp of scenario s from scratch: Σ_j p̄_ji minus the rows of A scaled by the shortfalls of its default list. */
function refreshInflow(bw: BatchWorkspace, s: number): void {
  const { system, payments, inflow, defaultList, nDefaults } = bw;
  const n = system.nBanks;
  const base = s * n;
  inflow.set(system.interbankAssets, base);
  let count = 0;
  for (let k = 0; k < nDefaults[s]!; k++) {
    const j = defaultList[base + k]!;
    const shortfall = system.totalObligations[j]! - payments[base + j]!;
    if (shortfall === 0) continue;
    if (!bw.dense) addRow(bw, j, -shortfall, base);
    else {
      bw.rowOffsets[count] = j * n;
      bw.rowDeltas[count++] = shortfall;
    }
  }
  if (bw.dense) bw.kernels.subtractRows(bw.matrix, inflow, base, n, bw.rowOffsets, bw.rowDeltas, count);
}

/**
 * Aᵀp from scratch for the scenarios `list` of the block together (dense networks): for each, Σ_j p̄_ji minus the
 * rows of A scaled by the shortfalls p̄_j − p_j of every bank j in order (zero for the solvent) — one matrix
 * product, inflows −= shortfalls · A, whose rows are independent, so a scenario's digits do not depend on the
 * others. A pass of ROW_PASS_BYTES of rows of A at a time is copied into the workspace beside the shortfalls, for
 * the register-blocked product kernel (kernels/product.wat): each row of A is read from memory once per block
 * instead of once per scenario, and the product runs at about 20 GFLOP/s on one core (1.2 ms per scenario at
 * 3,000 banks, against 4.2 ms row by row per scenario).
 */
function refreshInflows(bw: BatchWorkspace, list: number[]): void {
  if (list.length === 0) return;
  const { system, payments, inflow, shortfalls, passRows, kernels } = bw;
  const n = system.nBanks;
  for (const s of list) {
    const base = s * n;
    inflow.set(system.interbankAssets, base);
    for (let j = 0; j < n; j++) shortfalls[base + j] = system.totalObligations[j]! - payments[base + j]!;
  }
  const pass = Math.max(1, Math.floor(passRows.length / n));
  for (let k = 0; k < n; k += pass) {
    const depth = Math.min(pass, n - k);
    passRows.set(system.relative.subarray(k * n, (k + depth) * n));
    // runs of consecutive scenarios of the list as rows of one product
    for (let first = 0; first < list.length; ) {
      let end = first + 1;
      while (end < list.length && list[end] === list[end - 1]! + 1) end++;
      const s = list[first]!;
      kernels.subtractProduct(inflow, s * n, n, shortfalls, s * n + k, n, passRows, 0, n, end - first, n, depth);
      first = end;
    }
  }
}

/**
 * Recomputes Aᵀp of scenario s from scratch (p̄ minus the shortfalls of its default list) and its fixed-point
 * residual; true when the residual is within FIXED_POINT_TOLERANCE.
 */
function verify(bw: BatchWorkspace, shocks: Float64Array, s: number): boolean {
  refreshInflow(bw, s);
  return checkResidual(bw, shocks, s);
}

/** The fixed-point residual of scenario s at its current Aᵀp (which must be fresh): within FIXED_POINT_TOLERANCE? */
function checkResidual(bw: BatchWorkspace, shocks: Float64Array, s: number): boolean {
  const { system, payments, inflow } = bw;
  const n = system.nBanks;
  const base = s * n;
  const { outsideAssets } = system;
  let residual = 0;
  for (let i = 0; i < n; i++) {
    const next = phi(bw, i, outsideAssets[i]! - shocks[base + i]!, inflow[base + i]!);
    residual = Math.max(residual, Math.abs(next - payments[base + i]!));
  }
  bw.residual[s] = residual / bw.scale;
  return bw.residual[s] <= FIXED_POINT_TOLERANCE;
}

/**
 * Monotone Gauss–Seidel sweeps from above over the scenarios in `active`, bank-major so that each row of A is read
 * once per sweep for the whole block, from Aᵀp recomputed; a scenario leaves when a sweep adds no bank, changes no
 * payment by more than a tenth of the tolerance, and its result verifies.
 */
function sweepUntilVerified(bw: BatchWorkspace, shocks: Float64Array, start: number[]): void {
  const { system, nDefaults, rounds } = bw;
  const n = system.nBanks;
  const change = new Float64Array(bw.blockSize);
  const added = new Int32Array(bw.blockSize);
  const stale = new Uint8Array(bw.blockSize);
  for (const s of start) stale[s] = 1; // Aᵀp recomputed before the first sweep by rows
  const settled = (FIXED_POINT_TOLERANCE / 10) * bw.scale;
  let active = start;
  for (let sweep = 0; active.length > 0; sweep++) {
    if (sweep === MAX_SWEEPS) throw new EngineInputError('batched clearing did not converge');
    let defaulted = 0;
    for (const s of active) {
      change[s] = 0;
      added[s] = nDefaults[s]!;
      defaulted += nDefaults[s]!;
    }
    // dot products with the columns of A (inflows recomputed) once most banks are in default, else row updates
    if (bw.dense && 2 * defaulted > n * active.length) {
      sweepByColumns(bw, shocks, active, change);
      for (const s of active) stale[s] = 1;
    } else {
      for (const s of active) if (stale[s]) refreshInflow(bw, s);
      sweepByRows(bw, shocks, active, change);
    }
    active = active.filter((s) => {
      if (nDefaults[s]! > added[s]!) rounds[s]!++;
      else if (change[s]! <= settled) {
        stale[s] = 0;
        return !verify(bw, shocks, s);
      }
      return true;
    });
  }
}

/** New payment of bank i in scenario s at the inflow `flow`; marks a new default; returns |Δp_i|. */
function gaussSeidelStep(
  bw: BatchWorkspace,
  shocks: Float64Array,
  s: number,
  i: number,
  flow: number,
  update: boolean,
): number {
  const at = s * bw.system.nBanks + i;
  const cash = bw.system.outsideAssets[i]! - shocks[at]!;
  if (bw.defaultRound[at] === 0) {
    if (cash + flow >= bw.system.totalObligations[i]!) return 0;
    markDefault(bw, s, i, bw.rounds[s]! + 1);
  }
  const next = Math.max(0, bw.alpha * cash + bw.beta * flow);
  const delta = next - bw.payments[at]!;
  if (delta === 0) return 0;
  bw.payments[at] = next;
  if (update) addRow(bw, i, delta, s * bw.system.nBanks);
  return Math.abs(delta);
}

/** One sweep keeping Aᵀp by row updates: row i of A is added to every scenario whose p_i moved (2·|D|·links). */
function sweepByRows(bw: BatchWorkspace, shocks: Float64Array, active: number[], change: Float64Array): void {
  const n = bw.system.nBanks;
  for (let i = 0; i < n; i++) {
    for (const s of active) {
      const moved = gaussSeidelStep(bw, shocks, s, i, bw.inflow[s * n + i]!, true);
      if (moved > change[s]!) change[s] = moved;
    }
  }
}

const transposeCache = new WeakMap<ClearingSystem, Float64Array>();

/** Aᵀ, row-major (row i holds a_ji for every debtor j), once per system. */
function transposed(system: ClearingSystem): Float64Array {
  const cached = transposeCache.get(system);
  if (cached) return cached;
  const n = system.nBanks;
  const out = new Float64Array(n * n);
  const rel = system.relative;
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) out[i * n + j] = rel[j * n + i]!;
  }
  transposeCache.set(system, out);
  return out;
}

/**
 * One sweep with the inflows recomputed as dot products of column i of A with four scenarios' payments at a time
 * (the column is read once per four scenarios; 2n² per scenario, less traffic than row updates when most banks
 * are in default). Afterwards bw.inflow is stale; `verify` recomputes it.
 */
function sweepByColumns(bw: BatchWorkspace, shocks: Float64Array, active: number[], change: Float64Array): void {
  const n = bw.system.nBanks;
  const at = transposed(bw.system);
  const p = bw.payments;
  const count = active.length;
  for (let i = 0; i < n; i++) {
    const col = i * n;
    let k = 0;
    for (; k + 4 <= count; k += 4) {
      const s0 = active[k]!,
        s1 = active[k + 1]!,
        s2 = active[k + 2]!,
        s3 = active[k + 3]!;
      const b0 = s0 * n,
        b1 = s1 * n,
        b2 = s2 * n,
        b3 = s3 * n;
      let t0 = 0,
        t1 = 0,
        t2 = 0,
        t3 = 0;
      for (let j = 0; j < n; j++) {
        const a = at[col + j]!;
        t0 += a * p[b0 + j]!;
        t1 += a * p[b1 + j]!;
        t2 += a * p[b2 + j]!;
        t3 += a * p[b3 + j]!;
      }
      change[s0] = Math.max(change[s0]!, gaussSeidelStep(bw, shocks, s0, i, t0, false));
      change[s1] = Math.max(change[s1]!, gaussSeidelStep(bw, shocks, s1, i, t1, false));
      change[s2] = Math.max(change[s2]!, gaussSeidelStep(bw, shocks, s2, i, t2, false));
      change[s3] = Math.max(change[s3]!, gaussSeidelStep(bw, shocks, s3, i, t3, false));
    }
    for (; k < count; k++) {
      const s = active[k]!;
      const b = s * n;
      let t = 0;
      for (let j = 0; j < n; j++) t += at[col + j]! * p[b + j]!;
      change[s] = Math.max(change[s]!, gaussSeidelStep(bw, shocks, s, i, t, false));
    }
  }
}

/** D = {i : p_i < p̄_i} in order of default, the shortfall and the loss Σ min(x, w) + Σ (p̄ − p). */
function finish(bw: BatchWorkspace, shocks: Float64Array, s: number): void {
  const { system, payments, defaultRound, defaultList, nDefaults } = bw;
  const n = system.nBanks;
  const base = s * n;
  const { netWorth, totalObligations } = system;
  let direct = 0;
  for (let i = 0; i < n; i++) direct += Math.min(shocks[base + i]!, netWorth[i]!);
  let shortfall = 0;
  let kept = 0;
  for (let k = 0; k < nDefaults[s]!; k++) {
    const i = defaultList[base + k]!;
    if (payments[base + i]! >= totalObligations[i]!) {
      payments[base + i] = totalObligations[i]!;
      defaultRound[base + i] = 0;
      continue;
    }
    defaultList[base + kept++] = i;
    shortfall += totalObligations[i]! - payments[base + i]!;
  }
  nDefaults[s] = kept;
  bw.shortfallTotal[s] = shortfall;
  bw.loss[s] = direct + shortfall;
}
