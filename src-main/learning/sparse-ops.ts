/**
 * Sparse graph operations for TensorFlow.js that work, with gradients, on every backend (CPU, WebAssembly,
 * WebGPU). TensorFlow.js's `unsortedSegmentSum` has no WebAssembly kernel and loops once per segment on the CPU
 * backend, and the default gradient of `gather` uses it (../shared/notes/learning-backends.md). Here:
 *
 *   gatherRows(x, idx)[e]        = x[idx[e]]                 ∂/∂x = Σ_e dy[e] at row idx[e]  (a scatterND)
 *   segmentSum(v, seg, n)[s]     = Σ_{e: seg[e] = s} v[e]    ∂/∂v = dy[seg[e]]             (a gather)
 *
 * `tf.scatterND` sums duplicate indices on every backend, so it is the scatter. `segmentSoftmax` normalises edge
 * scores over each destination's incoming edges with the per-segment maximum subtracted outside the gradient tape
 * (the result does not depend on it) and 1e-16 added to the denominator (eq. 16 of the graph-transformer paper).
 * `edgeChunks` splits an edge list so that no edge tensor exceeds a device's storage-buffer binding limit.
 */
import * as tf from '@tensorflow/tfjs';

/** Default largest edge tensor, in bytes: under the 128 MiB storage-buffer binding of some WebGPU drivers. */
export const DEFAULT_MAX_TENSOR_BYTES = 64 * 1024 * 1024;

/**
 * The gather kernel to use: on WebAssembly `gatherND` is 12–16× faster than `gather` (measured: 600k rows of 64,
 * 0.34 s against 4.2 s); on the CPU backend `gather` is the faster one.
 */
function takeRows(x: tf.Tensor, indices: tf.Tensor1D): tf.Tensor {
  return tf.getBackend() === 'wasm' ? tf.gatherND(x, tf.expandDims(indices, 1)) : tf.gather(x, indices);
}

/** Rows of `x` (n × …) at `indices` (int32, length e): e × …; gradient by scatterND. */
export function gatherRows(x: tf.Tensor, indices: tf.Tensor1D): tf.Tensor {
  const shape = x.shape;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as tf.Tensor;
    (args[1] as tf.GradSaveFunc)([indices]); // saved tensors outlive the forward pass's scope
    return {
      value: takeRows(input, indices),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.scatterND(tf.expandDims(saved[0]!, 1), dy, shape),
    };
  });
  return op(x);
}

/** Sums the rows of `values` (e × …) into `segments` rows by `segmentIds` (int32, length e); gradient by gather. */
export function segmentSum(values: tf.Tensor, segmentIds: tf.Tensor1D, segments: number): tf.Tensor {
  const shape = [segments, ...values.shape.slice(1)];
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as tf.Tensor;
    (args[1] as tf.GradSaveFunc)([segmentIds]);
    return {
      value: tf.scatterND(tf.expandDims(segmentIds, 1), input, shape),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => takeRows(dy, saved[0] as tf.Tensor1D),
    };
  });
  return op(values);
}

/**
 * Per-segment maximum of `scores` (e × h), computed in JavaScript outside the gradient tape: segments × h, 0 for
 * segments without edges. Only used as a constant shift for a stable softmax.
 */
export function segmentMaxConstant(scores: tf.Tensor2D, segmentIds: Int32Array, segments: number): tf.Tensor2D {
  const [edges, heads] = scores.shape;
  const values = scores.dataSync();
  const max = new Float32Array(segments * heads).fill(-Infinity);
  for (let e = 0; e < edges; e++) {
    const base = segmentIds[e]! * heads;
    for (let h = 0; h < heads; h++) {
      const value = values[e * heads + h]!;
      if (value > max[base + h]!) max[base + h] = value;
    }
  }
  for (let k = 0; k < max.length; k++) if (max[k] === -Infinity) max[k] = 0;
  return tf.tensor2d(max, [segments, heads]);
}

/**
 * Softmax of edge scores (e × h) over the edges of each segment (destination node), per column (head):
 * α_e = exp(s_e − m_seg) / (Σ_{e' in seg} exp(s_e' − m_seg) + 1e-16).
 */
export function segmentSoftmax(scores: tf.Tensor2D, segmentIds: tf.Tensor1D, segmentIdsArray: Int32Array, segments: number): tf.Tensor2D {
  return tf.tidy(() => {
    const shift = segmentMaxConstant(scores, segmentIdsArray, segments);
    const exp = tf.exp(tf.sub(scores, takeRows(shift, segmentIds)));
    const denominator = segmentSum(exp, segmentIds, segments);
    return tf.div(exp, tf.add(gatherRows(denominator, segmentIds), 1e-16)) as tf.Tensor2D;
  });
}

/**
 * Splits `edges` edges into contiguous ranges so that an edge tensor of `bytesPerEdge` bytes per edge stays within
 * `maxBytes`: [{ start, end }], at least one range.
 */
export function edgeChunks(edges: number, bytesPerEdge: number, maxBytes = DEFAULT_MAX_TENSOR_BYTES): Array<{ start: number; end: number }> {
  const perChunk = Math.max(1, Math.floor(maxBytes / Math.max(1, bytesPerEdge)));
  const chunks: Array<{ start: number; end: number }> = [];
  for (let start = 0; start < edges; start += perChunk) chunks.push({ start, end: Math.min(edges, start + perChunk) });
  return chunks.length > 0 ? chunks : [{ start: 0, end: 0 }];
}
