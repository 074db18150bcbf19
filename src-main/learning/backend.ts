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
 * the requested backend, so only its return value is trusted; and a backend that starts can still fail at its first
 * operation (WebGPU without its globals did), so each one is proved with a small forward and backward computation
 * (`proveBackend`) before it is chosen. The choice, the adapter it runs on and the reasons the backends before it
 * were passed over are reported, never silent.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { segmentSum } from './sparse-ops';

const require = createRequire(import.meta.url);

export const LEARNING_BACKEND_PREFERENCES = ['auto', 'webgpu', 'wasm', 'cpu'] as const;
export type LearningBackendPreference = (typeof LEARNING_BACKEND_PREFERENCES)[number];

export interface LearningBackendReport {
  /** The TensorFlow.js backend in use: 'tensorflow', 'webgpu', 'wasm' or 'cpu'. */
  name: string;
  /** The device it computes on: the GPU adapter's name, or the processor for the CPU backends. */
  adapter: string;
  /** What was found (starting with the adapter), and why the backends before it were passed over. */
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

/**
 * Asks Dawn for the WebGPU adapter in a short-lived child process (so a misbehaving driver cannot take this
 * process down, and the answer is synchronous): its name, or null with the reason. Asked once per process.
 */
let probedAdapter: { adapter: string | null; reason: string } | undefined;
function probeWebGpuAdapter(): { adapter: string | null; reason: string } {
  if (probedAdapter) return probedAdapter;
  const script = `const { create } = await import(${JSON.stringify(pathToFileURL(require.resolve('webgpu')).href)});
const a = await create([]).requestAdapter();
const i = a?.info ?? {};
console.log(JSON.stringify(a ? [...new Set([i.vendor, i.architecture, i.device, i.description].filter(Boolean))].join(' ') || 'an unnamed WebGPU adapter' : null));
process.exit(0);`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
    timeout: 15_000,
  });
  try {
    const adapter = JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as string | null;
    probedAdapter = { adapter, reason: adapter ? '' : 'no GPU adapter answered' };
  } catch {
    probedAdapter = {
      adapter: null,
      reason: `the WebGPU adapter could not be asked (${child.error?.message ?? child.stderr.trim().split('\n')[0] ?? 'no answer'})`,
    };
  }
  return probedAdapter;
}

/** What training will use on this machine, without loading TensorFlow.js here (the About view, briefs). */
export function describeLearningBackend(): LearningBackendReport {
  if (installed('@tensorflow/tfjs-node-gpu')) {
    return {
      name: 'tensorflow (GPU)',
      adapter: 'a CUDA GPU if the binding reports one',
      detail: '@tensorflow/tfjs-node-gpu installed; used when it reports a GPU device',
    };
  }
  const gpu = installed('webgpu')
    ? probeWebGpuAdapter()
    : { adapter: null, reason: 'the webgpu package is not installed' };
  if (gpu.adapter)
    return {
      name: 'webgpu',
      adapter: gpu.adapter,
      detail: 'WebGPU (Dawn); proved with a small computation before training',
    };
  const cpu = installed('@tensorflow/tfjs-node')
    ? '@tensorflow/tfjs-node (native CPU)'
    : '@tensorflow/tfjs-backend-wasm (SIMD, single thread)';
  return {
    name: installed('@tensorflow/tfjs-node') ? 'tensorflow' : 'wasm',
    adapter: processorName(),
    detail: `${cpu}; WebGPU passed over: ${gpu.reason}`,
  };
}

/** A backend's start: null when its package is absent, else the adapter and a description; throws with the reason. */
type Attempt = () => Promise<{ adapter: string; detail: string } | null>;

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
    return {
      adapter: usesGpu ? 'a CUDA GPU' : processorName(),
      detail: `${moduleName}${usesGpu ? ' (CUDA)' : ' (native CPU)'}`,
    };
  };
}

/** The little of the WebGPU API used here (the `webgpu` package is optional, so its types are not assumed). */
interface GpuAdapterLike {
  limits: { maxStorageBufferBindingSize: number };
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
}
interface GpuLike {
  requestAdapter(): Promise<GpuAdapterLike | null>;
}
interface WebGpuModule {
  create: (options: string[]) => GpuLike;
  globals: Record<string, unknown>;
}

/** The adapter's name in words: "google swiftshader", "nvidia ampere NVIDIA H100 80GB HBM3", … */
function adapterName(adapter: GpuAdapterLike): string {
  const info = adapter.info;
  const parts = [info?.vendor, info?.architecture, info?.device, info?.description].filter(
    (part): part is string => !!part,
  );
  return [...new Set(parts)].join(' ') || 'an unnamed WebGPU adapter';
}

/** The processor the CPU backends run on, for the record: "AMD EPYC 7763 64-Core Processor (2 threads)". */
function processorName(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model.trim() || 'an unknown processor'} (${cpus.length} thread${cpus.length === 1 ? '' : 's'})`;
}

/**
 * Loads Dawn, asks for an adapter and installs what TensorFlow.js's WebGPU backend expects of a browser: the
 * WebGPU constants as globals (`GPUBufferUsage`, `GPUMapMode`, …; without them the first operation throws
 * "GPUBufferUsage is not defined") and `navigator.gpu` (a getter in Node 22, hence defineProperty).
 */
async function installWebGpu(): Promise<GpuAdapterLike> {
  const webgpuModule = 'webgpu';
  const { create, globals } = (await import(/* @vite-ignore */ webgpuModule)) as WebGpuModule;
  const gpu = create([]);
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('no GPU adapter answered (no Vulkan, Metal or Direct3D 12 driver that Dawn accepts)');
  Object.assign(globalThis, globals);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  return adapter;
}

const webGpu: Attempt = async () => {
  if (!installed('webgpu')) return null;
  const adapter = await installWebGpu();
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error("setBackend('webgpu') failed");
  const mib = (adapter.limits.maxStorageBufferBindingSize / 2 ** 20).toFixed(0);
  return { adapter: adapterName(adapter), detail: `WebGPU (Dawn), largest storage buffer ${mib} MiB` };
};

const wasm: Attempt = async () => {
  await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) throw new Error("setBackend('wasm') failed");
  return { adapter: processorName(), detail: '@tensorflow/tfjs-backend-wasm (SIMD, single thread)' };
};

const cpu: Attempt = async () => {
  if (!(await tf.setBackend('cpu'))) throw new Error("setBackend('cpu') failed");
  return { adapter: processorName(), detail: '@tensorflow/tfjs plain JavaScript backend' };
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

/**
 * Proves the current backend with one small forward and backward computation that the models rely on — a matrix
 * product, tanh, a segment sum with duplicate indices (the sparse operations' scatter, with its custom gradient) —
 * and their gradients against
 * the same figures computed here in double precision. Throws with what differed.
 *
 *   f(W) = Σ_r segmentSum(tanh(X W), [0, 0, 1])[r] · c_r,   ∂f/∂W = Xᵀ ((1 − tanh²(X W)) ⊙ c_{row})
 */
export async function proveBackend(): Promise<void> {
  const x = [
    [1, 2],
    [3, -1],
    [0.5, 0.25],
  ];
  const w = [0.3, -0.2];
  const c = [2, -1];
  const rows = [0, 0, 1];
  const t = x.map(([a, b]) => Math.tanh(a! * w[0]! + b! * w[1]!));
  const expectedValue = t.reduce((sum, value, k) => sum + value * c[rows[k]!]!, 0);
  const expectedGrad = w.map((_, j) =>
    t.reduce((sum, value, k) => sum + x[k]![j]! * (1 - value * value) * c[rows[k]!]!, 0),
  );
  const f = (weights: tf.Tensor) => {
    const activations = tf.tanh(tf.matMul(tf.tensor2d(x), tf.reshape(weights, [2, 1])));
    const scattered = segmentSum(activations, tf.tensor1d(rows, 'int32'), 2);
    return tf.sum(tf.mul(scattered, tf.tensor2d(c.map((v) => [v]))));
  };
  const { value, grad } = tf.tidy(() => tf.valueAndGrad(f)(tf.tensor1d(w)));
  const got = [...(await value.data()), ...(await grad.data())];
  value.dispose();
  grad.dispose();
  const want = [expectedValue, ...expectedGrad];
  const worst = Math.max(...want.map((v, k) => Math.abs(v - got[k]!)));
  if (!(worst <= 1e-4))
    throw new Error(
      `its test computation gave ${got.map((v) => v.toPrecision(6)).join(', ')} instead of ${want.map((v) => v.toPrecision(6)).join(', ')}`,
    );
}

let selected: { preference: LearningBackendPreference; report: LearningBackendReport } | undefined;

/**
 * Makes the best available backend that passes `proveBackend` current for this thread and reports it. Call once
 * before building models (in the worker that trains); later calls with the same preference return the same report.
 */
export async function selectLearningBackend(
  preference: LearningBackendPreference = 'auto',
): Promise<LearningBackendReport> {
  if (selected?.preference === preference && tf.getBackend() === selected.report.name) return selected.report;
  const passedOver: string[] = [];
  for (const [label, attempt] of attemptsFor[preference]) {
    try {
      const started = await attempt();
      if (started === null) continue;
      await tf.ready();
      await proveBackend();
      const detail = `on ${started.adapter}: ${started.detail}${passedOver.length ? `; passed over: ${passedOver.join('; ')}` : ''}`;
      const report = { name: tf.getBackend(), adapter: started.adapter, detail };
      selected = { preference, report };
      return report;
    } catch (error) {
      passedOver.push(`${label}: ${(error as Error).message.split('\n')[0]!.trim()}`); // the first line says why
    }
  }
  throw new Error(`no TensorFlow.js backend could start: ${passedOver.join('; ')}`);
}

/** How a saved model or run names where it was trained: "webgpu on google swiftshader". */
export function backendLabel(report: Pick<LearningBackendReport, 'name' | 'adapter'>): string {
  return `${report.name} on ${report.adapter}`;
}
