/**
 * WebGPU against the CPU backend, on SwiftShader (a Vulkan driver on the CPU that Debian's chromium package
 * ships, so no GPU is needed; CI installs chromium). Dawn finds the Vulkan loader through LD_LIBRARY_PATH, which
 * only counts at process start, so the computations run in a child process (webgpu-parity.child.ts). The test
 * fails, never skips, where SwiftShader is missing.
 *
 * Tolerances: forward values and gradients |webgpu − cpu| ≤ 1e-5·max|cpu| + 1e-6 (float32 with other summation
 * orders; measured ≤ 7e-6 relative); short trainings ≤ 1e-4·max|cpu| + 1e-6 (differences grow over the steps;
 * measured ≤ 1e-6 relative).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
const CHILD = fileURLToPath(new URL('./webgpu-parity.child.ts', import.meta.url));
const runtimeDir = mkdtempSync(path.join(os.tmpdir(), 'cwb-webgpu-'));
afterAll(() => rmSync(runtimeDir, { recursive: true, force: true }));

interface ChildAnswer {
  report?: { name: string; adapter: string; detail: string };
  cpu?: Record<string, number[]>;
  webgpu?: Record<string, number[]>;
  error?: string;
}

function runChild(icd: string, mode: 'parity' | 'fallback'): ChildAnswer {
  const child = spawnSync(process.execPath, ['--import', 'tsx', CHILD, mode], {
    env: {
      ...process.env,
      VK_ICD_FILENAMES: icd,
      LD_LIBRARY_PATH: [path.dirname(SWIFTSHADER), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
      XDG_RUNTIME_DIR: runtimeDir,
    },
    encoding: 'utf8',
    timeout: 280_000,
  });
  const last = child.stdout.trim().split('\n').pop() ?? '';
  if (!last.startsWith('{'))
    throw new Error(`the WebGPU child process gave no answer (exit ${child.status}): ${child.stderr.slice(-2000)}`);
  return JSON.parse(last) as ChildAnswer;
}

const worst = (a: number[], b: number[]) => Math.max(...a.map((v, k) => Math.abs(v - b[k]!)));
const scale = (a: number[]) => Math.max(...a.map(Math.abs));

describe('TensorFlow.js on WebGPU (SwiftShader) agrees with the CPU backend', () => {
  it('finds the SwiftShader adapter, proves it, and matches forward values, gradients and short trainings', () => {
    expect(
      existsSync(SWIFTSHADER),
      `${SWIFTSHADER} is missing: install Debian's chromium package (it ships SwiftShader)`,
    ).toBe(true);
    const answer = runChild(SWIFTSHADER, 'parity');
    expect(answer.error).toBeUndefined();
    expect(answer.report?.name, answer.report?.detail).toBe('webgpu');
    expect(answer.report!.adapter).toMatch(/swiftshader/i);
    const { cpu, webgpu } = answer as Required<ChildAnswer>;
    expect(Object.keys(webgpu)).toEqual(Object.keys(cpu));
    const compared = Object.keys(cpu).filter((key) => !key.endsWith('seconds'));
    // every model and sparse operation is covered
    for (const part of [
      'gatherRows',
      'segmentSum',
      'segmentSoftmax',
      'edgeDotProducts',
      'weightedNeighbourSum',
      'graph transformer gradient of layer1.query',
      'dual network gradient',
      'dual network trained weights',
      'logistic classifier',
      'logistic-interactions classifier',
      'interactions-only classifier',
      'monotone-network classifier',
      'graph transformer training',
    ]) {
      expect(
        compared.some((key) => key.startsWith(part)),
        part,
      ).toBe(true);
    }
    for (const key of compared) {
      const [a, b] = [cpu[key]!, webgpu[key]!];
      expect(b.length, key).toBe(a.length);
      expect(a.every(Number.isFinite) && b.every(Number.isFinite), key).toBe(true);
      const relative = /training|trained|classifier/.test(key) ? 1e-4 : 1e-5;
      expect(worst(a, b), key).toBeLessThanOrEqual(relative * scale(a) + 1e-6);
    }
    // the gradients are not trivially zero (a comparison of zeros would prove nothing)
    expect(scale(cpu['graph transformer gradient of layer0.key']!)).toBeGreaterThan(1e-4);
    expect(scale(cpu['edgeDotProducts gradient 0']!)).toBeGreaterThan(0.1);
  }, 300_000);

  it('falls back to the CPU with the reason in words when no adapter answers', () => {
    const answer = runChild(path.join(runtimeDir, 'no-such-driver.json'), 'fallback');
    expect(answer.report?.name).toBe('cpu');
    expect(answer.report!.detail).toMatch(/passed over: webgpu: no GPU adapter answered/);
  }, 60_000);
});
