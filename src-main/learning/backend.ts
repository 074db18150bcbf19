/**
 * TensorFlow.js backend choice, in order: `@tensorflow/tfjs-node-gpu` when installed and a CUDA device answers,
 * `@tensorflow/tfjs-node`, WebAssembly, plain CPU. The native packages are optional dependencies (their install
 * downloads libtensorflow and fails offline), so they are looked up, never assumed. The choice is reported.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface LearningBackendReport {
  name: string;
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
  if (installed('@tensorflow/tfjs-node')) {
    return { name: 'tensorflow', detail: '@tensorflow/tfjs-node (native CPU)' };
  }
  if (installed('@tensorflow/tfjs-backend-wasm')) {
    return { name: 'wasm', detail: '@tensorflow/tfjs-backend-wasm (SIMD, single thread); native TensorFlow not installed' };
  }
  return { name: 'cpu', detail: '@tensorflow/tfjs plain JavaScript backend' };
}
