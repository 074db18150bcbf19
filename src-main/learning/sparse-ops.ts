/**
 * Sparse graph operations for TensorFlow.js that work, with gradients, on every backend (CPU, WebAssembly,
 * WebGPU). TensorFlow.js's `unsortedSegmentSum` has no WebAssembly kernel and loops once per segment on the CPU
 * backend, and the default gradient of `gather` uses it (docs/engines/learning-backends.md). Here:
 *
 *   gatherRows(x, idx)[e]        = x[idx[e]]                 ∂/∂x = Σ_e dy[e] at row idx[e]  (a scatterND)
 *   segmentSum(v, seg, n)[s]     = Σ_{e: seg[e] = s} v[e]    ∂/∂v = dy[seg[e]]             (a gather)
 *
 * `tf.scatterND` sums duplicate indices on every backend, so it is the scatter. `segmentSoftmax` normalises edge
 * scores over each destination's incoming edges with the per-segment maximum (`edgeSegmentMax`, with no gradient:
 * the result does not depend on it; read back where the backend can, on the device on WebGPU) subtracted and 1e-16 added to the denominator (eq. 16 of the
 * graph-transformer paper).
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

/** Edges sorted by segment (a counting sort): the order, each sorted edge's segment, each segment's last position. */
interface SegmentLayout {
  order: Int32Array;
  sortedIds: Int32Array;
  last: Int32Array;
  longest: number;
}
const layouts = new WeakMap<Int32Array, SegmentLayout>();

function segmentLayout(segmentIds: Int32Array, segments: number): SegmentLayout {
  const cached = layouts.get(segmentIds);
  if (cached && cached.last.length === segments) return cached;
  const start = new Int32Array(segments + 1);
  for (const s of segmentIds) start[s + 1]!++;
  let longest = 0;
  for (let s = 0; s < segments; s++) {
    longest = Math.max(longest, start[s + 1]!);
    start[s + 1]! += start[s]!;
  }
  const next = start.slice(0, segments);
  const order = new Int32Array(segmentIds.length);
  const sortedIds = new Int32Array(segmentIds.length);
  segmentIds.forEach((s, e) => {
    sortedIds[next[s]!] = s;
    order[next[s]!++] = e;
  });
  const last = Int32Array.from({ length: segments }, (_, s) => Math.max(0, start[s + 1]! - 1));
  const layout = { order, sortedIds, last, longest };
  layouts.set(segmentIds, layout);
  return layout;
}

/** Backends that can read a tensor synchronously (WebGPU in Node cannot: its readSync needs OffscreenCanvas). */
const SYNCHRONOUS_READS = new Set(['cpu', 'wasm', 'tensorflow']);

/** Each edge's segment maximum from the scores read back: one pass in JavaScript (the faster way where reads are synchronous). */
function edgeSegmentMaxRead(scores: tf.Tensor2D, segmentIds: Int32Array, segments: number): tf.Tensor2D {
  const [edges, heads] = scores.shape;
  const values = scores.dataSync();
  const max = new Float32Array(segments * heads).fill(-Infinity);
  for (let e = 0; e < edges; e++) {
    const base = segmentIds[e]! * heads;
    for (let h = 0; h < heads; h++) max[base + h] = Math.max(max[base + h]!, values[e * heads + h]!);
  }
  const perEdge = new Float32Array(edges * heads);
  for (let e = 0; e < edges; e++)
    perEdge.set(max.subarray(segmentIds[e]! * heads, segmentIds[e]! * heads + heads), e * heads);
  return tf.tensor2d(perEdge, [edges, heads]);
}

/** The same on the device: a segmented running maximum (see `edgeSegmentMax`). */
function edgeSegmentMaxScan(scores: tf.Tensor2D, segmentIds: Int32Array, segments: number): tf.Tensor2D {
  const { order, sortedIds, last, longest } = segmentLayout(segmentIds, segments);
  const [edges, heads] = scores.shape;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as tf.Tensor2D;
    let running = takeRows(input, tf.tensor1d(order, 'int32')) as tf.Tensor2D;
    for (let offset = 1; offset < longest; offset *= 2) {
      // −1e30 where the edge `offset` places earlier belongs to another segment (or does not exist)
      const apart = Float32Array.from({ length: edges }, (_, e) =>
        e >= offset && sortedIds[e - offset] === sortedIds[e] ? 0 : -1e30,
      );
      const earlier = tf.concat([
        tf.zeros([Math.min(offset, edges), heads]),
        tf.slice(running, [0, 0], [Math.max(0, edges - offset), heads]),
      ]);
      running = tf.maximum(running, tf.add(earlier, tf.tensor2d(apart, [edges, 1])));
    }
    const perSegment = takeRows(running, tf.tensor1d(last, 'int32'));
    return {
      value: takeRows(perSegment, tf.tensor1d(segmentIds, 'int32')) as tf.Tensor2D,
      gradFunc: () => tf.zeros([edges, heads]),
    };
  });
  return op(scores);
}

/**
 * Each edge's segment maximum, m[e] = max_{e': seg[e'] = seg[e]} scores[e'] (e × h), outside the gradient; only
 * used as a constant shift for a stable softmax. Where the backend reads synchronously, one pass in JavaScript
 * over the scores read back; elsewhere (WebGPU) on the device without reading back: a segmented running maximum
 * over the edges sorted by segment, by doubling offsets (Hillis & Steele, "Data parallel algorithms", 1986):
 * after the steps 1, 2, 4, … below the longest segment, each segment's last edge holds its maximum.
 */
export function edgeSegmentMax(
  scores: tf.Tensor2D,
  segmentIds: Int32Array,
  segments: number,
  onDevice = !SYNCHRONOUS_READS.has(tf.getBackend()),
): tf.Tensor2D {
  if (scores.shape[0] === 0) return tf.zeros([0, scores.shape[1]]);
  return tf.tidy(() =>
    onDevice ? edgeSegmentMaxScan(scores, segmentIds, segments) : edgeSegmentMaxRead(scores, segmentIds, segments),
  );
}

/**
 * Softmax of edge scores (e × h) over the edges of each segment (destination node), per column (head):
 * α_e = exp(s_e − m_seg) / (Σ_{e' in seg} exp(s_e' − m_seg) + 1e-16).
 */
export function segmentSoftmax(
  scores: tf.Tensor2D,
  segmentIds: tf.Tensor1D,
  segmentIdsArray: Int32Array,
  segments: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const exp = tf.exp(tf.sub(scores, edgeSegmentMax(scores, segmentIdsArray, segments)));
    const denominator = segmentSum(exp, segmentIds, segments);
    return tf.div<tf.Tensor2D>(exp, tf.add(gatherRows(denominator, segmentIds), 1e-16));
  });
}

/**
 * Splits `edges` edges into contiguous ranges so that an edge tensor of `bytesPerEdge` bytes per edge stays within
 * `maxBytes`: [{ start, end }], at least one range.
 */
export function edgeChunks(
  edges: number,
  bytesPerEdge: number,
  maxBytes = DEFAULT_MAX_TENSOR_BYTES,
): Array<{ start: number; end: number }> {
  const perChunk = Math.max(1, Math.floor(maxBytes / Math.max(1, bytesPerEdge)));
  const chunks: Array<{ start: number; end: number }> = [];
  for (let start = 0; start < edges; start += perChunk) chunks.push({ start, end: Math.min(edges, start + perChunk) });
  return chunks.length > 0 ? chunks : [{ start: 0, end: 0 }];
}

const indexTensor = (ids: Int32Array, { start, end }: { start: number; end: number }) =>
  tf.tensor1d(ids.subarray(start, end), 'int32');

/**
 * Per-head dot products of edge endpoints, s[e, h] = Σ_k Q[target_e, h·d_k + k] · K[source_e, h·d_k + k] (the
 * scores of eq. 16), computed chunk by chunk. A fused operation: only Q, K and the e × heads result are kept for
 * the gradient, which gathers each chunk again (dQ, dK by scatterND), so memory stays O(nodes·d + edges·heads)
 * and no gathered tensor exceeds `maxBytes`.
 */
export function edgeDotProducts(
  query: tf.Tensor2D,
  key: tf.Tensor2D,
  target: Int32Array,
  source: Int32Array,
  heads: number,
  maxBytes = DEFAULT_MAX_TENSOR_BYTES,
): tf.Tensor2D {
  const width = query.shape[1];
  const keyDim = width / heads;
  const chunks = edgeChunks(target.length, 4 * width, maxBytes);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [q, k] = args as [tf.Tensor2D, tf.Tensor2D];
    (args[2] as tf.GradSaveFunc)([q, k]);
    const parts = chunks.map((chunk) =>
      tf.tidy(() =>
        tf.sum(
          tf.reshape(tf.mul(takeRows(q, indexTensor(target, chunk)), takeRows(k, indexTensor(source, chunk))), [
            -1,
            heads,
            keyDim,
          ]),
          2,
        ),
      ),
    );
    const value = parts.length === 1 ? parts[0]! : tf.concat(parts);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sq, sk] = saved as [tf.Tensor2D, tf.Tensor2D];
        let dq: tf.Tensor = tf.zerosLike(sq);
        let dk: tf.Tensor = tf.zerosLike(sk);
        for (const chunk of chunks) {
          const [nextQ, nextK] = tf.tidy((): [tf.Tensor, tf.Tensor] => {
            const t = indexTensor(target, chunk);
            const s = indexTensor(source, chunk);
            const weight = tf.expandDims(tf.slice(dy, [chunk.start, 0], [chunk.end - chunk.start, heads]), 2);
            const spread = (x: tf.Tensor) =>
              tf.reshape(tf.mul(weight, tf.reshape(x, [-1, heads, keyDim])), [-1, width]);
            return [
              tf.add(dq, tf.scatterND(tf.expandDims(t, 1), spread(takeRows(sk, s)), sq.shape)),
              tf.add(dk, tf.scatterND(tf.expandDims(s, 1), spread(takeRows(sq, t)), sk.shape)),
            ];
          });
          dq.dispose();
          dk.dispose();
          dq = nextQ;
          dk = nextK;
        }
        return [dq, dk];
      },
    };
  });
  return op(query, key) as tf.Tensor2D;
}

/**
 * The weighted neighbour sum of eq. (17), m[v] = Σ_{e: target_e = v} c_e · M[source_e], chunk by chunk; fused like
 * `edgeDotProducts`: the gradient gathers each chunk again (dM by scatterND, dc_e = ⟨dm[target_e], M[source_e]⟩).
 */
export function weightedNeighbourSum(
  coefficient: tf.Tensor1D,
  messages: tf.Tensor2D,
  target: Int32Array,
  source: Int32Array,
  nodes: number,
  maxBytes = DEFAULT_MAX_TENSOR_BYTES,
): tf.Tensor2D {
  const width = messages.shape[1];
  const chunks = edgeChunks(target.length, 4 * width, maxBytes);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [c, m] = args as [tf.Tensor1D, tf.Tensor2D];
    (args[2] as tf.GradSaveFunc)([c, m]);
    let sum: tf.Tensor = tf.zeros([nodes, width]);
    for (const chunk of chunks) {
      const next = tf.tidy(() => {
        const weighted = tf.mul(
          tf.expandDims(tf.slice(c, [chunk.start], [chunk.end - chunk.start]), 1),
          takeRows(m, indexTensor(source, chunk)),
        );
        return tf.add(sum, tf.scatterND(tf.expandDims(indexTensor(target, chunk), 1), weighted, [nodes, width]));
      });
      sum.dispose();
      sum = next;
    }
    return {
      value: sum,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sc, sm] = saved as [tf.Tensor1D, tf.Tensor2D];
        const dc: tf.Tensor[] = [];
        let dm: tf.Tensor = tf.zerosLike(sm);
        for (const chunk of chunks) {
          const [part, next] = tf.tidy((): [tf.Tensor, tf.Tensor] => {
            const s = indexTensor(source, chunk);
            const upstream = takeRows(dy, indexTensor(target, chunk));
            const weights = tf.slice(sc, [chunk.start], [chunk.end - chunk.start]);
            return [
              tf.sum(tf.mul(upstream, takeRows(sm, s)), 1),
              tf.add(dm, tf.scatterND(tf.expandDims(s, 1), tf.mul(tf.expandDims(weights, 1), upstream), sm.shape)),
            ];
          });
          dc.push(part);
          dm.dispose();
          dm = next;
        }
        const dcAll = dc.length === 1 ? dc[0]! : tf.concat(dc);
        if (dc.length > 1) dc.forEach((t) => t.dispose());
        return [dcAll, dm];
      },
    };
  });
  return op(coefficient, messages) as tf.Tensor2D;
}
