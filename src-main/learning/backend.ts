/**
 * TensorFlow.js backend choice. With preference 'auto', in order:
 *  1. `@tensorflow/tfjs-node-gpu` when installed and its binding reports a GPU device (built against CUDA 11.2:
 *     on newer CUDA it silently runs on the CPU, so the device report is what counts);
 *  2. WebGPU through the `webgpu` package (Dawn) when a GPU adapter answers;
 *  3. `@tensorflow/tfjs-node` (native CPU);
 *  4. WebAssembly (`@tensorflow/tfjs-backend-wasm`, SIMD);
 *  5. the plain JavaScript CPU backend.
 * The native packages are optional dependencies (their install downloads libtensorflow and fails offline), so
 * they are looked up, never assumed. `tf.setBackend` can fail and return false while `tf.getBackend()` still names
 * the requested backend, so only its return value is trusted. The choice is reported, never silent.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const LEARNING_BACKEND_PREFERENCES = ['auto', 'webgpu', 'wasm', 'cpu'] as const;
export type LearningBackendPreference = (typeof LEARNING_BACKEND_PREFERENCES)[number];

export interface LearningBackendReport {
  /** The TensorFlow.js backend in use: 'tensorflow', 'webgpu', 'wasm' or 'cpu'. */
  name: string;
  /** What was found, and why the backends before it were passed over. */
  detail: string;
}

function installed(moduleName: string): boolean {
  try {
    require.resolve(moduleName);
    return true;
  } catch {
    return false;
  }
}

/** What training will use, without loading TensorFlow.js (cheap enough for the About view). */
export function describeLearningBackend(): LearningBackendReport {
  if (installed('@tensorflow/tfjs-node-gpu')) {
    return { name: 'tensorflow (GPU)', detail: '@tensorflow/tfjs-node-gpu installed; used when it reports a GPU device' };
  }
  const webgpu = installed('webgpu') ? '; WebGPU is tried first when a GPU adapter answers' : '';
  if (installed('@tensorflow/tfjs-node')) {
    return { name: 'tensorflow', detail: `@tensorflow/tfjs-node (native CPU)${webgpu}` };
  }
  return { name: 'wasm', detail: `@tensorflow/tfjs-backend-wasm (SIMD, single thread)${webgpu}` };
}

type Attempt = () => Promise<string | null>;

/** Loads a native TensorFlow binding; it registers the 'tensorflow' backend on the shared tfjs-core engine. */
function nativeTensorflow(moduleName: string, requireGpu: boolean): Attempt {
  return async () => {
    if (!installed(moduleName)) return null;
    try {
      require(moduleName);
    } catch (error) {
      throw new Error(`${moduleName} did not load: ${(error as Error).message}`);
    }
    if (!(await tf.setBackend('tensorflow'))) throw new Error(`${moduleName}: setBackend('tensorflow') failed`);
    const usesGpu = (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
    if (requireGpu && !usesGpu) throw new Error(`${moduleName} loaded but reports no GPU device`);
    return `${moduleName}${usesGpu ? ' on a GPU device' : ' (native CPU)'}`;
  };
}

/** The little of the WebGPU API used here (the `webgpu` package is optional, so its types are not assumed). */
interface GpuAdapterLike {
  limits: { maxStorageBufferBindingSize: number };
  info?: { vendor?: string; architecture?: string; description?: string };
}
interface GpuLike {
  requestAdapter(): Promise<GpuAdapterLike | null>;
}

const webGpu: Attempt = async () => {
  if (!installed('webgpu')) return null;
  const webgpuModule = 'webgpu';
  const { create } = (await import(/* @vite-ignore */ webgpuModule)) as { create: (options: string[]) => GpuLike };
  const gpu = create([]);
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('WebGPU: no GPU adapter');
  // Node 22 defines navigator as a getter; TensorFlow.js looks for navigator.gpu.
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error("WebGPU: setBackend('webgpu') failed");
  const info = adapter.info;
  const name = [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ');
  return `WebGPU (Dawn)${name ? ` on ${name}` : ''}, max storage buffer ${(adapter.limits.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB`;
};

const wasm: Attempt = async () => {
  await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) throw new Error("WebAssembly: setBackend('wasm') failed");
  return '@tensorflow/tfjs-backend-wasm (SIMD, single thread)';
};

const cpu: Attempt = async () => {
  if (!(await tf.setBackend('cpu'))) throw new Error("setBackend('cpu') failed");
  return '@tensorflow/tfjs plain JavaScript backend';
};

const attemptsFor: Record<LearningBackendPreference, Array<[label: string, attempt: Attempt]>> = {
  auto: [
    ['tensorflow GPU', nativeTensorflow('@tensorflow/tfjs-node-gpu', true)],
    ['webgpu', webGpu],
    ['tensorflow', nativeTensorflow('@tensorflow/tfjs-node', false)],
    ['wasm', wasm],
    ['cpu', cpu],
  ],
  webgpu: [
    ['webgpu', webGpu],
    ['cpu', cpu],
  ],
  wasm: [
    ['wasm', wasm],
    ['cpu', cpu],
  ],
  cpu: [['cpu', cpu]],
};

let selected: { preference: LearningBackendPreference; report: LearningBackendReport } | undefined;

/**
 * Makes the best available backend current for this thread and reports it. Call once before building models
 * (in the worker that trains); later calls with the same preference return the same report.
 */
export async function selectLearningBackend(preference: LearningBackendPreference = 'auto'): Promise<LearningBackendReport> {
  if (selected?.preference === preference && tf.getBackend() === selected.report.name) return selected.report;
  const passedOver: string[] = [];
  for (const [label, attempt] of attemptsFor[preference]) {
    try {
      const detail = await attempt();
      if (detail === null) continue;
      await tf.ready();
      const report = { name: tf.getBackend(), detail: passedOver.length ? `${detail}; passed over: ${passedOver.join('; ')}` : detail };
      selected = { preference, report };
      return report;
    } catch (error) {
      passedOver.push(`${label}: ${(error as Error).message}`);
    }
  }
  throw new Error(`no TensorFlow.js backend could start: ${passedOver.join('; ')}`);
}
