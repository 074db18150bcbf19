import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleKernel, kernelModuleText, kernelsFolder } from '../../bin/build-kernels.mjs';
import { EngineInputError } from '../../src-main/engines/errors';
import { KERNEL_MAX_DOUBLES, KernelWorkspace } from '../../src-main/engines/kernels/workspace';
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

describe('WebAssembly product kernel', () => {
  it('is the binary its text assembles to (npm run build:kernels)', async () => {
    const base64 = await assembleKernel(join(kernelsFolder, 'product.wat'));
    expect(readFileSync(join(kernelsFolder, 'product-wasm.ts'), 'utf8')).toBe(kernelModuleText('product', base64));
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
