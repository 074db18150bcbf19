import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { assembleKernel, kernelModuleText, kernelsFolder } from '../../bin/build-kernels.mjs';
import { EngineInputError } from '../../src-main/engines/errors';
import { ROWS_WASM_BASE64 } from '../../src-main/engines/kernels/rows-wasm';
import { KERNEL_MAX_DOUBLES, KernelWorkspace, sharedMatrixMemory } from '../../src-main/engines/kernels/workspace';
import { luFactor } from '../../src-main/engines/linalg';
import { Rng } from '../../src-main/engines/random';

/** The product the kernel computes, in plain JavaScript: each sum over k in order, then subtracted. */
function subtractProductReference(
  c: Float64Array,
  ldc: number,
  a: Float64Array,
  lda: number,
  b: Float64Array,
  ldb: number,
  rows: number,
  cols: number,
  depth: number,
): void {
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      let sum = 0;
      for (let k = 0; k < depth; k++) sum += a[r * lda + k]! * b[k * ldb + j]!;
      c[r * ldc + j]! -= sum;
    }
  }
}

/** What the rows kernel computes, in plain JavaScript: eight rows' products summed in order, then subtracted. */
function subtractRowsReference(
  out: Float64Array,
  length: number,
  matrix: Float64Array,
  rows: Int32Array,
  factors: Float64Array,
  count: number,
): void {
  let k = 0;
  for (; k + 8 <= count; k += 8) {
    for (let i = 0; i < length; i++) {
      let sum = factors[k]! * matrix[rows[k]! + i]!;
      for (let t = 1; t < 8; t++) sum += factors[k + t]! * matrix[rows[k + t]! + i]!;
      out[i]! -= sum;
    }
  }
  for (; k < count; k++) for (let i = 0; i < length; i++) out[i]! -= factors[k]! * matrix[rows[k]! + i]!;
}

describe('WebAssembly kernels', () => {
  it('are the binaries their texts assemble to (npm run build:kernels)', async () => {
    for (const name of ['product', 'rows']) {
      const base64 = await assembleKernel(join(kernelsFolder, `${name}.wat`));
      expect(readFileSync(join(kernelsFolder, `${name}-wasm.ts`), 'utf8')).toBe(kernelModuleText(name, base64));
    }
  });

  it('subtracts A·B with the digits of the plain loop, on every shape the 4 × 4 blocks leave edges of', () => {
    const rng = new Rng(11, 0);
    for (const [rows, cols, depth] of [
      [4, 4, 1],
      [9, 13, 7],
      [3, 2, 48],
      [17, 33, 0],
      [40, 21, 51],
      [1, 50, 8], // a row vector times B: the Gauss–Seidel solve's sums
      [2, 7, 3],
    ] as const) {
      const lda = depth + 3;
      const ldb = cols + 5;
      const ldc = cols + 2;
      const workspace = new KernelWorkspace(rows * lda + depth * ldb + rows * ldc + 10);
      workspace.take(1); // arrays that do not start at the workspace's first double
      const random = (length: number, shift: number) => {
        const array = workspace.take(length);
        for (let k = 0; k < length; k++) array[k] = rng.uniform() - shift;
        return array;
      };
      const a = random(rows * lda, 0.5);
      const b = random(Math.max(1, depth * ldb), 0.5);
      const c = random(rows * ldc, 0);
      const expected = c.slice();
      subtractProductReference(expected, ldc, a, lda, b, ldb, rows, cols, depth);
      workspace.subtractProduct(c, 0, ldc, a, 0, lda, b, 0, ldb, rows, cols, depth);
      expect(Array.from(c)).toEqual(Array.from(expected));
      // only C's own rows × cols moved: the padding of each row kept its value
      for (let r = 0; r < rows; r++)
        for (let j = cols; j < ldc; j++) expect(c[r * ldc + j]).toBe(expected[r * ldc + j]);
    }
  });

  it('subtracts scaled rows of a shared matrix with the digits of the plain loop, on every count and length', () => {
    const rng = new Rng(12, 0);
    const width = 37;
    const memory = sharedMatrixMemory(40 * width);
    const matrix = new Float64Array(memory.buffer, 0, 40 * width);
    for (let k = 0; k < matrix.length; k++) matrix[k] = rng.uniform() - 0.5;
    for (const [count, length] of [
      [0, 5],
      [1, 1],
      [7, 3],
      [8, 4],
      [9, 37],
      [17, 36],
      [40, 33],
    ] as const) {
      const workspace = new KernelWorkspace(2 * width + 2 * count + 4);
      workspace.take(1);
      const out = workspace.take(width);
      for (let i = 0; i < width; i++) out[i] = rng.uniform();
      const rows = workspace.takeIndices(count);
      const factors = workspace.take(count);
      for (let k = 0; k < count; k++) {
        rows[k] = Math.floor(rng.uniform() * 40) * width; // rows may repeat
        factors[k] = rng.uniform() * 3;
      }
      const expected = out.slice();
      subtractRowsReference(expected, length, matrix, rows, factors, count);
      workspace.subtractRows(memory, out, 0, length, rows, factors, count);
      expect(Array.from(out)).toEqual(Array.from(expected)); // and the entries past `length` untouched
    }
  });

  it('gathers the entries of a shared matrix among the rows and columns a list names, on every edge', () => {
    const width = 29;
    const memory = sharedMatrixMemory(width * width);
    const matrix = new Float64Array(memory.buffer, 0, width * width);
    matrix.forEach((_, k) => (matrix[k] = k + 0.5));
    const list = [28, 3, 17, 0, 5, 9, 21, 14, 2, 26, 11, 7, 19];
    const stride = list.length + 2;
    for (const [c0, c1, r0, r1] of [
      [0, 13, 0, 13], // one group of eight rows and five left
      [0, 8, 8, 13],
      [8, 13, 0, 13],
      [3, 3, 0, 13], // nothing
      [0, 7, 2, 9],
    ] as const) {
      const workspace = new KernelWorkspace(stride * stride + list.length);
      workspace.take(1);
      const block = workspace.take(stride * list.length).fill(-1);
      const indices = workspace.takeIndices(list.length);
      indices.set(list);
      workspace.gather(memory, block, stride, indices, width, c0, c1, r0, r1);
      for (let c = 0; c < list.length; c++)
        for (let r = 0; r < stride; r++) {
          const inside = c >= c0 && c < c1 && r >= r0 && r < r1;
          expect(block[c * stride + r]).toBe(inside ? matrix[list[c]! * width + list[r]!] : -1);
        }
    }
  });

  it('reads a matrix in shared memory in place from another thread', async () => {
    const memory = sharedMatrixMemory(8);
    const matrix = new Float64Array(memory.buffer, 0, 8);
    // the worker instantiates the rows kernel on its own workspace and the posted matrix memory, then waits
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       const { module, matrix } = workerData;
       const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
       const kernel = new WebAssembly.Instance(module, { env: { memory, matrix } }).exports.subtract_rows;
       parentPort.on('message', () => {
         const out = new Float64Array(memory.buffer, 0, 4);
         new Int32Array(memory.buffer, 32, 1)[0] = 4; // the matrix's second row of four
         new Float64Array(memory.buffer, 40, 1)[0] = 2;
         kernel(0, 4, 8, 5, 1);
         parentPort.postMessage(Array.from(out));
       });
       parentPort.postMessage('ready');`,
      {
        eval: true,
        workerData: { module: new WebAssembly.Module(Buffer.from(ROWS_WASM_BASE64, 'base64')), matrix: memory },
      },
    );
    try {
      const answers: unknown[] = [];
      const next = () =>
        new Promise((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
        });
      answers.push(await next());
      matrix.set([1, 2, 3, 4, 5, 6, 7, 8]); // written after the worker has its copy of the memory object
      worker.postMessage('go');
      answers.push(await next());
      expect(answers).toEqual(['ready', [-10, -12, -14, -16]]);
    } finally {
      await worker.terminate();
    }
  });

  it('refuses arrays outside its memory and takes beyond its room', () => {
    const workspace = new KernelWorkspace(16);
    const inside = workspace.take(16);
    expect(() => workspace.take(1)).toThrow(/no room for 1 more/);
    expect(() => workspace.subtractProduct(inside, 0, 4, new Float64Array(16), 0, 4, inside, 0, 4, 4, 4, 4)).toThrow(
      /not in this kernel workspace/,
    );
    expect(KernelWorkspace.holding(inside)).toBe(workspace);
    expect(KernelWorkspace.holding(new Float64Array(4))).toBeUndefined();
    workspace.rewind(8);
    expect(workspace.take(8).byteOffset).toBe(64);
  });

  it('refuses, in words and before allocating, what 32-bit WebAssembly cannot address', () => {
    expect(() => new KernelWorkspace(KERNEL_MAX_DOUBLES + 1)).toThrow(EngineInputError);
    expect(() => new KernelWorkspace(KERNEL_MAX_DOUBLES + 1)).toThrow(
      /beyond the 4 GiB the WebAssembly kernels address/,
    );
    expect(() => luFactor(new Float64Array(1), 23_171, new Int32Array(1))).toThrow(
      /a 23,171 × 23,171 matrix is too large to factorise here/,
    );
  });
});
