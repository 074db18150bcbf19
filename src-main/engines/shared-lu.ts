/**
 * One LU factorisation, P·M = L·U (linalg.luFactor), and the columns of M⁻¹ that the worker threads of one run share:
 * the shards of a stress run share the survivors' K = I − βAᵀ (batched-clearing.ts `complementShare`), the shards
 * of a scenario study the economy's I − C (cascade.ts). The first thread that needs the factor writes M and
 * factorises it while the others that need it meanwhile take chunks of its trailing updates (kernels/team.ts), then
 * wait on the share's first word; every thread then reads the one factor. Each column of M⁻¹ is solved once, by the
 * thread that claims it first (`InverseColumns`, `shared`). A thread's results are those of a factor of its own, to
 * the digit; memory once for the run instead of once per thread (32 MB of factor at 2,000 rows, 800 MB at 10,000),
 * and the factor's 2n³/3 flops once.
 */
import { EngineInputError } from './errors';
import { isTeamOpen, joinTeam, leadTeam, teamControl } from './kernels/team';
import { KERNEL_MAX_DOUBLES, KernelWorkspace, sharedMatrixMemory } from './kernels/workspace';
import { columnBlock, InverseColumns, luFactor } from './linalg';

export interface SharedLu {
  /** The LU (n × n doubles), then a block of right-hand sides for each thread. */
  readonly memory: WebAssembly.Memory;
  /** Column j of M⁻¹ as row j (a sharedMatrixMemory). */
  readonly store: WebAssembly.Memory;
  readonly pivots: Int32Array;
  /** [0]: the LU not begun (0), being factorised (1), ready (2), M singular (3); [1 + j]: column j (InverseColumns). */
  readonly state: Int32Array;
  /** The control block of the threads that factorise M together (kernels/team.ts). */
  readonly team: Int32Array;
}

/**
 * The share of an n × n factor for `threads` threads (its memories' pages are taken only as they are written), or
 * undefined for fewer than two threads or where the memory would pass the kernels' 4 GiB.
 */
export function sharedLu(n: number, threads: number): SharedLu | undefined {
  const doubles = InverseColumns.workspaceDoubles(n, threads);
  if (threads < 2 || doubles > KERNEL_MAX_DOUBLES) return undefined;
  const words = (length: number) => new Int32Array(new SharedArrayBuffer(4 * length));
  return {
    memory: sharedMatrixMemory(doubles),
    store: sharedMatrixMemory(n * n),
    pivots: words(n),
    state: words(1 + n),
    team: teamControl(),
  };
}

const [EMPTY, BUILDING, BUILT, SINGULAR] = [0, 1, 2, 3];

/**
 * The shared factor as thread `thread` (from 0) reads it, factorised here by the first thread to ask (`write` fills
 * M into `factors` first), or undefined where M is singular (luFactor's refusal). The factor's view ends with this
 * thread's own block of right-hand sides, so that an InverseColumns on it solves there.
 */
export function factoriseShared(
  share: SharedLu,
  n: number,
  thread: number,
  write: (factors: Float64Array) => void,
): { factors: Float64Array; pivots: Int32Array } | undefined {
  const slot = n * columnBlock(n);
  const workspace = new KernelWorkspace(n * n + (thread + 1) * slot, share.memory);
  const factors = workspace.take(n * n);
  workspace.take(thread * slot); // the blocks of the threads before this one
  const { state } = share;
  if (Atomics.compareExchange(state, 0, EMPTY, BUILDING) === EMPTY) {
    let built = false;
    try {
      write(factors);
      // the threads that need the factor meanwhile take chunks of its trailing updates
      built = leadTeam(share.team, share.memory, () => factorises(factors, n, share.pivots));
    } finally {
      Atomics.store(state, 0, built ? BUILT : SINGULAR);
      Atomics.notify(state, 0);
    }
  } else {
    // help while the factor is being built (the team opens once M is written)
    while (Atomics.load(state, 0) === BUILDING) {
      if (isTeamOpen(share.team)) joinTeam(share.team, share.memory);
      else Atomics.wait(state, 0, BUILDING, 1);
    }
  }
  return Atomics.load(state, 0) === BUILT ? { factors, pivots: share.pivots } : undefined;
}

/** What an InverseColumns takes to solve into the share's store (its `shared` option). */
export function sharedColumns(share: SharedLu): { store: WebAssembly.Memory; states: Int32Array } {
  return { store: share.store, states: share.state.subarray(1) };
}

/** luFactor, with a singular matrix as false. */
export function factorises(matrix: Float64Array, m: number, pivots: Int32Array): boolean {
  try {
    luFactor(matrix, m, pivots);
    return true;
  } catch (error) {
    if (error instanceof EngineInputError) return false;
    throw error;
  }
}
