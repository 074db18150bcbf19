import { describe, expect, it } from 'vitest';
import { learningBackendInWords, learningBackendName } from '../../src-shared/format/learning-backend';

// Strings as src-main/learning/backend.ts records them on this kind of machine (selectLearningBackend and
// describeLearningBackend printed on a 2-thread AMD EPYC without a GPU), and as it would with a GPU.
const ADAPTER = 'AMD EPYC (2 threads)';
const NO_ADAPTER = 'no GPU adapter answered (no Vulkan, Metal or Direct3D 12 driver that Dawn accepts)';
const SELECTED = {
  auto: `on ${ADAPTER}: @tensorflow/tfjs-backend-wasm (SIMD, single thread); passed over: webgpu: ${NO_ADAPTER}`,
  webgpuFellBack: `on ${ADAPTER}: @tensorflow/tfjs plain JavaScript backend; passed over: webgpu: ${NO_ADAPTER}`,
  wasm: `on ${ADAPTER}: @tensorflow/tfjs-backend-wasm (SIMD, single thread)`,
  cpu: `on ${ADAPTER}: @tensorflow/tfjs plain JavaScript backend`,
  gpu: 'on nvidia hopper NVIDIA H200: WebGPU (Dawn), largest storage buffer 2048 MiB; passed over: tensorflow GPU: @tensorflow/tfjs-node-gpu loaded but reports no GPU device',
  native: `on ${ADAPTER}: @tensorflow/tfjs-node (native CPU); passed over: webgpu: setBackend('webgpu') failed`,
};
const DESCRIBED = {
  name: 'wasm',
  adapter: ADAPTER,
  detail: '@tensorflow/tfjs-backend-wasm (SIMD, single thread); WebGPU passed over: no GPU adapter answered',
};

/** No backend or package identifier is left: the recorded names as words, no npm package, no code call. */
function expectNoIdentifiers(words: string): void {
  expect(words).not.toMatch(/\b(wasm|webgpu|cpu|tensorflow)\b/);
  expect(words).not.toMatch(/@tensorflow|tfjs|setBackend/);
}

describe('learning backends in words', () => {
  it('a graph-transformer model’s record: the name in words, the adapter, what it ran with and why others were passed over', () => {
    const words = learningBackendInWords(`wasm (${SELECTED.auto})`);
    expect(words).toBe(`WebAssembly on ${ADAPTER}, SIMD, single thread; WebGPU passed over: ${NO_ADAPTER}`);
    expectNoIdentifiers(words);
    expect(learningBackendName(`wasm (${SELECTED.auto})`)).toBe('WebAssembly');
  });

  it('every backend’s record keeps its facts', () => {
    const cases: Array<[string, string, string[]]> = [
      [
        'cpu',
        SELECTED.webgpuFellBack,
        ['CPU (plain JavaScript) on AMD EPYC (2 threads)', `WebGPU passed over: ${NO_ADAPTER}`],
      ],
      ['wasm', SELECTED.wasm, ['WebAssembly on AMD EPYC (2 threads), SIMD, single thread']],
      ['cpu', SELECTED.cpu, ['CPU (plain JavaScript) on AMD EPYC (2 threads)']],
      [
        'webgpu',
        SELECTED.gpu,
        [
          'WebGPU on nvidia hopper NVIDIA H200, Dawn, largest storage buffer 2048 MiB',
          'TensorFlow native (GPU) passed over: TensorFlow native GPU binding loaded but reports no GPU device',
        ],
      ],
      [
        'tensorflow',
        SELECTED.native,
        ['TensorFlow native on AMD EPYC (2 threads), CPU binding', 'WebGPU passed over: WebGPU did not start'],
      ],
    ];
    for (const [name, detail, facts] of cases) {
      for (const recorded of [`${name} (${detail})`, `${name} — ${detail}`]) {
        const words = learningBackendInWords(recorded);
        expectNoIdentifiers(words);
        for (const fact of facts) expect(words).toContain(fact);
      }
      // a dual-network model keeps the name and the detail apart; a capital study records both as an object
      expect(learningBackendInWords({ name, detail })).toBe(learningBackendInWords(`${name} (${detail})`));
    }
    expect(learningBackendInWords(`cpu (${SELECTED.cpu})`)).toBe('CPU (plain JavaScript) on AMD EPYC (2 threads)');
  });

  it('the description of this machine (About screen, briefs) with its adapter', () => {
    const words = learningBackendInWords(DESCRIBED);
    expect(words).toBe(
      'WebAssembly on AMD EPYC (2 threads), SIMD, single thread; WebGPU passed over: no GPU adapter answered',
    );
    expect(
      learningBackendInWords({
        name: 'webgpu',
        detail: 'WebGPU (Dawn); proved with a small computation before training',
      }),
    ).toBe('WebGPU, Dawn, proved with a small computation before training');
    const gpuBinding = learningBackendInWords({
      name: 'tensorflow (GPU)',
      adapter: 'a CUDA GPU if the binding reports one',
      detail: '@tensorflow/tfjs-node-gpu installed; used when it reports a GPU device',
    });
    expect(gpuBinding).toBe(
      'TensorFlow native (GPU) on a CUDA GPU if the binding reports one, TensorFlow native GPU binding installed; used when it reports a GPU device',
    );
    expect(
      learningBackendInWords({
        name: 'tensorflow',
        adapter: ADAPTER,
        detail: '@tensorflow/tfjs-node (native CPU); WebGPU passed over: the webgpu package is not installed',
      }),
    ).toBe(
      'TensorFlow native on AMD EPYC (2 threads), CPU binding; WebGPU passed over: the WebGPU package is not installed',
    );
  });

  it('short records: a name alone, "NAME on ADAPTER", and text it does not know', () => {
    expect(learningBackendInWords('cpu')).toBe('CPU (plain JavaScript)');
    expect(learningBackendName('cpu')).toBe('CPU (plain JavaScript)');
    expect(learningBackendInWords(`wasm on ${ADAPTER}`)).toBe(`WebAssembly on ${ADAPTER}`);
    expect(learningBackendName('tensorflow (GPU) — x')).toBe('TensorFlow native (GPU)');
    expect(learningBackendInWords('not recorded')).toBe('not recorded');
    // words already: unchanged, so a record shown twice reads the same
    const once = learningBackendInWords(`wasm (${SELECTED.auto})`);
    expect(learningBackendInWords(once)).toBe(once);
  });
});
