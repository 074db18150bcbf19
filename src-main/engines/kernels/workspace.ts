/**
 * A block of WebAssembly memory for the double-precision kernels (product.wat, rows.wat): arrays the engines take
 * from it are ordinary Float64Array views that the kernels read and write in place. WebAssembly's two-lane SIMD runs
 * the register-blocked product C −= A·B at about 21–25 GFLOP/s on one core of the development machine, against 4–6
 * for the same blocking in JavaScript (bench/scale-roofline.ts), with the same digits: each sum in order, no fused
 * multiply–add. A large matrix that several threads read (a network's A) lives in a shared memory of its own
 * (`sharedMatrixMemory`), which the rows kernel reads in place beside the workspace.
 */
import { EngineInputError } from '../errors';
import { kernelHelpers, type KernelTask } from './helpers';
import { PRODUCT_WASM_BASE64 } from './product-wasm';
import { ROWS_WASM_BASE64 } from './rows-wasm';

const PAGE_BYTES = 65_536;

/**
 * Multiply–adds from which a product of at least eight rows is split among helper threads by rows (`subtractProduct`):
 * 2²¹, about 0.2 ms of kernel time, against some 0.05 ms to hand it out and wait.
 */
const PARALLEL_PRODUCT_MADDS = 2 ** 21;

/** The most doubles a workspace holds: WebAssembly's 32-bit addresses reach 4 GiB (a 23,170 × 23,170 matrix). */
export const KERNEL_MAX_DOUBLES = (65_536 * PAGE_BYTES) / 8;

const compiled = new Map<string, WebAssembly.Module>();
function kernelModule(base64: string): WebAssembly.Module {
  let module = compiled.get(base64);
  if (!module) {
    module = new WebAssembly.Module(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
    compiled.set(base64, module);
  }
  return module;
}

function pagesFor(doubles: number): number {
  if (!(doubles <= KERNEL_MAX_DOUBLES))
    throw new EngineInputError(
      `${Math.round((doubles * 8) / 2 ** 30)} GiB of working memory is beyond the 4 GiB the WebAssembly kernels address`,
    );
  return Math.max(1, Math.ceil((doubles * 8) / PAGE_BYTES));
}

/**
 * A shared WebAssembly memory of room for `doubles` doubles, all zero, for a matrix that every thread's kernels read
 * in place (its buffer is a SharedArrayBuffer; the memory itself is posted to worker threads). Throws
 * EngineInputError beyond KERNEL_MAX_DOUBLES.
 */
export function sharedMatrixMemory(doubles: number): WebAssembly.Memory {
  const pages = pagesFor(doubles);
  return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
}

type SubtractProduct = (
  c: number,
  ldc: number,
  a: number,
  lda: number,
  b: number,
  ldb: number,
  rows: number,
  cols: number,
  depth: number,
) => void;

/** The exports of rows.wat. */
interface RowKernels {
  subtract_rows(out: number, length: number, rows: number, factors: number, count: number): void;
  gather(
    block: number,
    stride: number,
    list: number,
    width: number,
    c0: number,
    c1: number,
    r0: number,
    r1: number,
  ): void;
}

/** The workspace each memory belongs to, so a function given an array can tell whether the kernels can reach it. */
const owners = new WeakMap<ArrayBufferLike, KernelWorkspace>();

let scratch: KernelWorkspace | undefined;

export class KernelWorkspace {
  /** The workspace's memory: shared, so that helper threads (./helpers.ts) work in it in place. */
  readonly memory: WebAssembly.Memory;
  private readonly buffer: ArrayBufferLike;
  private readonly product: SubtractProduct;
  /** The rows kernels bound to this workspace and to each matrix memory they have read. */
  private readonly rowKernels = new WeakMap<WebAssembly.Memory, RowKernels>();
  private taken = 0;

  /**
   * Room for `doubles` doubles, all zero; its size is fixed (the views never detach). Throws EngineInputError
   * beyond KERNEL_MAX_DOUBLES.
   */
  constructor(
    readonly doubles: number,
    memory?: WebAssembly.Memory,
  ) {
    const pages = pagesFor(doubles);
    this.memory = memory ?? new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    const instance = new WebAssembly.Instance(kernelModule(PRODUCT_WASM_BASE64), { env: { memory: this.memory } });
    this.product = instance.exports.subtract_product as SubtractProduct;
    this.buffer = this.memory.buffer;
    owners.set(this.buffer, this);
  }

  /**
   * A workspace of at least `doubles` doubles with nothing taken, shared by every caller in this thread: for arrays
   * copied in and out within one call, which must not keep its views after it returns.
   */
  static scratch(doubles: number): KernelWorkspace {
    if (!scratch || scratch.doubles < doubles)
      scratch = new KernelWorkspace(Math.min(KERNEL_MAX_DOUBLES, Math.max(doubles, 2 * (scratch?.doubles ?? 0))));
    scratch.rewind(0);
    return scratch;
  }

  /**
   * The workspace of this thread over `memory`, a workspace's memory posted from another thread (nothing taken: its
   * arrays are addressed by `indexOf`).
   */
  static over(memory: WebAssembly.Memory): KernelWorkspace {
    const known = owners.get(memory.buffer);
    if (known) return known;
    return new KernelWorkspace(memory.buffer.byteLength / 8, memory);
  }

  /** The workspace whose memory holds `array`, if any. */
  static holding(array: Float64Array): KernelWorkspace | undefined {
    return owners.get(array.buffer);
  }

  /** Doubles not yet taken. */
  get room(): number {
    return this.doubles - this.taken;
  }

  /** Doubles taken so far (the mark for `rewind`). */
  get used(): number {
    return this.taken;
  }

  /** The next `length` doubles of the workspace as an array (zero unless taken before: see `rewind`). */
  take(length: number): Float64Array {
    if (this.taken + length > this.doubles)
      throw new RangeError(`kernel workspace of ${this.doubles} doubles has no room for ${length} more`);
    const view = new Float64Array(this.buffer, this.taken * 8, length);
    this.taken += length;
    return view;
  }

  /** The next `length` int32 entries of the workspace (from the next double on) as an array. */
  takeIndices(length: number): Int32Array {
    const doubles = this.take(Math.ceil(length / 2));
    return new Int32Array(this.buffer, doubles.byteOffset, length);
  }

  /** Gives back every array taken after the first `kept` doubles, for the next `take` to reuse. */
  rewind(kept: number): void {
    this.taken = Math.min(this.taken, kept);
  }

  /**
   * C[r·ldc + j] −= Σ_{k < depth} A[r·lda + k] · B[k·ldb + j] for r < rows, j < cols, where C, A and B are the
   * elements of `c`, `a` and `b` from `cAt`, `aAt` and `bAt` on: arrays taken from this workspace. A large product
   * is split by rows among the helper threads installed (kernels/helpers.ts): the same digits, each row's sums alike.
   */
  subtractProduct(
    c: Float64Array,
    cAt: number,
    ldc: number,
    a: Float64Array,
    aAt: number,
    lda: number,
    b: Float64Array,
    bAt: number,
    ldb: number,
    rows: number,
    cols: number,
    depth: number,
  ): void {
    if (rows <= 0 || cols <= 0 || depth <= 0) return;
    const [ci, ai, bi] = [this.indexOf(c, cAt), this.indexOf(a, aAt), this.indexOf(b, bAt)];
    const helpers = kernelHelpers();
    if (helpers && rows >= 8 && rows * cols * depth >= PARALLEL_PRODUCT_MADDS)
      helpers.run({ kind: 'product', memory: this.memory, c: ci, ldc, a: ai, lda, b: bi, ldb, rows, cols, depth });
    else this.product(ci, ldc, ai, lda, bi, ldb, rows, cols, depth);
  }

  /**
   * Rows r0 … r1−1 of the product of a `product` task (kernels/helpers.ts), with C, A and B given by their indices
   * in this workspace's memory.
   */
  subtractProductRows(task: Extract<KernelTask, { kind: 'product' }>, r0: number, r1: number): void {
    const { c, ldc, a, lda, b, ldb, cols, depth } = task;
    if (r0 < r1) this.product(c + r0 * ldc, ldc, a + r0 * lda, lda, b, ldb, r1 - r0, cols, depth);
  }

  /**
   * out[outAt + i] −= Σ_{k < count} factors[k] · M[rows[k] + i] for i < length, where M is the matrix of doubles in
   * `matrix` (a `sharedMatrixMemory`) and rows[k] the offset of a row in it: out, rows and factors taken from this
   * workspace. The rows go eight at a time, each sum in order (rows.wat).
   */
  subtractRows(
    matrix: WebAssembly.Memory,
    out: Float64Array,
    outAt: number,
    length: number,
    rows: Int32Array,
    factors: Float64Array,
    count: number,
  ): void {
    if (length <= 0 || count <= 0) return;
    this.rowsOf(matrix).subtract_rows(
      this.indexOf(out, outAt),
      length,
      this.indexOf(rows, 0),
      this.indexOf(factors, 0),
      count,
    );
  }

  /**
   * block[c · stride + r] = M[list[c] · width + list[r]] for c0 ≤ c < c1, r0 ≤ r < r1, where M is the `width` ×
   * `width` matrix of doubles in `matrix` (a `sharedMatrixMemory`): the entries of M among the rows and columns that
   * `list` names. block and list taken from this workspace (rows.wat).
   */
  gather(
    matrix: WebAssembly.Memory,
    block: Float64Array,
    stride: number,
    list: Int32Array,
    width: number,
    c0: number,
    c1: number,
    r0: number,
    r1: number,
  ): void {
    if (c1 <= c0 || r1 <= r0) return;
    this.rowsOf(matrix).gather(this.indexOf(block, 0), stride, this.indexOf(list, 0), width, c0, c1, r0, r1);
  }

  private rowsOf(matrix: WebAssembly.Memory): RowKernels {
    let kernels = this.rowKernels.get(matrix);
    if (!kernels) {
      const env = { memory: this.memory, matrix };
      kernels = new WebAssembly.Instance(kernelModule(ROWS_WASM_BASE64), { env }).exports as unknown as RowKernels;
      this.rowKernels.set(matrix, kernels);
    }
    return kernels;
  }

  /** The index in this workspace's memory, in elements of its type, of `array`'s element `index`. */
  indexOf(array: Float64Array | Int32Array, index = 0): number {
    if (array.buffer !== this.buffer) throw new RangeError('array is not in this kernel workspace');
    return array.byteOffset / array.BYTES_PER_ELEMENT + index;
  }

  /** `length` doubles of this workspace's memory from double `index` on (an array `indexOf` placed). */
  view(index: number, length: number): Float64Array {
    return new Float64Array(this.buffer, index * 8, length);
  }
}
