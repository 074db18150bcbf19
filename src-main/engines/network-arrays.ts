/**
 * Network arrays: the Eisenberg–Noe clearing system of a `network@1` document, as flat Float64Arrays.
 *
 * Notation of Glasserman & Young (2015), as summarised in Ruela 2019, §1.1 and docs/formats.md:
 *   p̄_ij  liability of debtor i to creditor j (dense row-major, row = debtor)
 *   p̄_i  = b_i + Σ_j p̄_ij                 total obligations
 *   a_ij = p̄_ij / p̄_i (0 when p̄_i = 0)    relative liabilities
 *   w_i  = c_i + Σ_j p̄_ji − p̄_i           net worth
 *   β_i  = (p̄_i − b_i) / p̄_i (0 when p̄_i = 0)  financial connectivity
 * The CSR form holds, per debtor row, the creditors and a_ij, for sparse networks.
 */
import type { NetworkDocument } from '../../src-shared/formats/network';
import { EngineInputError } from './errors';
import { KERNEL_MAX_DOUBLES, sharedMatrixMemory } from './kernels/workspace';
import { assertMemoryFits, assertSupportedAmounts, assertSupportedArray, banks, denseBytes } from './limits';

/** Compressed sparse rows of the liabilities, row = debtor. */
export interface LiabilityCsr {
  /** rowStart[i] .. rowStart[i+1]-1 index the entries of debtor i. */
  rowStart: Int32Array;
  creditor: Int32Array;
  amount: Float64Array;
  relative: Float64Array;
}

export interface ClearingSystem {
  ids: string[];
  nBanks: number;
  /** p̄_ij, row-major nBanks × nBanks, row = debtor. */
  pbarMatrix: Float64Array;
  /** p̄_i = b_i + Σ_j p̄_ij. */
  totalObligations: Float64Array;
  /** c_i. */
  outsideAssets: Float64Array;
  /** b_i. */
  outsideLiabilities: Float64Array;
  /** Σ_j p̄_ji: what the others owe bank i. */
  interbankAssets: Float64Array;
  /** w_i = c_i + Σ_j p̄_ji − p̄_i. */
  netWorth: Float64Array;
  /** a_ij = p̄_ij / p̄_i, row-major, row = debtor. */
  relative: Float64Array;
  /**
   * The shared WebAssembly memory whose first n² doubles are `relative`, so that the kernels of every thread read
   * rows of A in place (batched clearing); absent below MATRIX_MEMORY_MIN_BANKS banks, or where A is beyond the
   * kernels' 4 GiB.
   */
  relativeMemory?: WebAssembly.Memory;
  /** β_i = (p̄_i − b_i)/p̄_i. */
  connectivity: Float64Array;
  /** δ_i from node.defaultProbability, 0.01 where absent. */
  defaultProbability: Float64Array;
  csr: LiabilityCsr;
  /** Number of liabilities with a positive amount. */
  nLinks: number;
}

export const DEFAULT_DEFAULT_PROBABILITY = 0.01;

/** Networks of at least this many banks keep A in a shared WebAssembly memory (the batched clearing's sizes). */
export const MATRIX_MEMORY_MIN_BANKS = 200;

/** The balance-sheet amounts clearing needs from every node, in the user's words. */
const REQUIRED_AMOUNTS = { outsideAssets: 'outside assets', outsideLiabilities: 'outside liabilities' } as const;

function requiredAmount(
  value: number | null | undefined,
  id: string,
  index: number,
  field: keyof typeof REQUIRED_AMOUNTS,
): number {
  const name = REQUIRED_AMOUNTS[field];
  if (value === null || value === undefined) {
    throw new EngineInputError(`node "${id}": ${name} are required for clearing`, `nodes.${index}.${field}`);
  }
  if (!Number.isFinite(value) || value < 0) {
    throw new EngineInputError(
      `node "${id}": ${name} must be a finite number ≥ 0, got ${value}`,
      `nodes.${index}.${field}`,
    );
  }
  return value;
}

/** Where a clearing system's arrays live: ordinary memory, or shared memory that worker threads read in place. */
export interface ArrayAllocator {
  float64(length: number): Float64Array;
  int32(length: number): Int32Array;
}

export const ordinaryArrays: ArrayAllocator = {
  float64: (length) => new Float64Array(length),
  int32: (length) => new Int32Array(length),
};

/** SharedArrayBuffer-backed arrays: a system built from them is posted to workers without a copy. */
export const sharedArrays: ArrayAllocator = {
  float64: (length) => new Float64Array(new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT * length)),
  int32: (length) => new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * length)),
};

/**
 * Builds the clearing arrays (with `arrays`: `sharedArrays` for the shards of a stress job, which then read one copy
 * of the network); throws `EngineInputError` naming the node or entry on missing or negative values.
 */
export function toClearingSystem(doc: NetworkDocument, arrays: ArrayAllocator = ordinaryArrays): ClearingSystem {
  const nBanks = doc.nodes.length;
  assertSupportedAmounts(doc);
  // p̄ and a = p̄/p̄_i, both dense
  assertMemoryFits(denseBytes(nBanks, 2), `clearing a network of ${banks(nBanks)}`);
  const { ids, indexOf, outsideAssets, outsideLiabilities, defaultProbability } = nodeArrays(doc.nodes, arrays);
  const pbarMatrix = arrays.float64(nBanks * nBanks);
  doc.liabilities.forEach((entry, k) => {
    const debtor = indexOf.get(entry.debtor);
    const creditor = indexOf.get(entry.creditor);
    if (debtor === undefined)
      throw new EngineInputError(`liability ${k}: unknown debtor "${entry.debtor}"`, `liabilities.${k}.debtor`);
    if (creditor === undefined) {
      throw new EngineInputError(`liability ${k}: unknown creditor "${entry.creditor}"`, `liabilities.${k}.creditor`);
    }
    setLiability(pbarMatrix, nBanks, k, debtor, creditor, entry.amount, entry.debtor, entry.creditor);
  });
  return fromDenseLiabilities(ids, pbarMatrix, outsideAssets, outsideLiabilities, defaultProbability, arrays);
}

/** Liabilities as columns: entry k owes amount[k] from node debtor[k] to node creditor[k] (indices into the nodes). */
export interface LiabilityColumns {
  count: number;
  debtor: Int32Array;
  creditor: Int32Array;
  amount: Float64Array;
}

/**
 * toClearingSystem of a network whose liabilities are columns (a large network@1 file read by
 * readNetworkJsonColumns): the same checks and messages, no liability objects.
 */
export function toClearingSystemFromColumns(
  doc: Pick<NetworkDocument, 'nodes'>,
  liabilities: LiabilityColumns,
): ClearingSystem {
  const nBanks = doc.nodes.length;
  const { count, debtor, creditor, amount } = liabilities;
  // The largest amount only, at its index (forEach skips the holes): the check and message of toClearingSystem.
  const largestEntry: NetworkDocument['liabilities'] = [];
  let largest = 0;
  for (let k = 0; k < count; k++)
    if (!(Math.abs(amount[k]!) <= largest)) {
      largest = Math.abs(amount[k]!);
      largestEntry.length = 0;
      largestEntry[k] = entryAt(doc, liabilities, k);
    }
  assertSupportedAmounts({ nodes: doc.nodes, liabilities: largestEntry });
  assertMemoryFits(denseBytes(nBanks, 2), `clearing a network of ${banks(nBanks)}`);
  const { ids, outsideAssets, outsideLiabilities, defaultProbability } = nodeArrays(doc.nodes);
  const pbarMatrix = new Float64Array(nBanks * nBanks);
  for (let k = 0; k < count; k++) {
    const d = debtor[k]!;
    const c = creditor[k]!;
    if (!(d >= 0 && d < nBanks))
      throw new EngineInputError(`liability ${k}: unknown debtor index ${d}`, `liabilities.${k}.debtor`);
    if (!(c >= 0 && c < nBanks))
      throw new EngineInputError(`liability ${k}: unknown creditor index ${c}`, `liabilities.${k}.creditor`);
    setLiability(pbarMatrix, nBanks, k, d, c, amount[k]!, ids[d]!, ids[c]!);
  }
  return fromDenseLiabilities(ids, pbarMatrix, outsideAssets, outsideLiabilities, defaultProbability);
}

function entryAt(doc: Pick<NetworkDocument, 'nodes'>, liabilities: LiabilityColumns, k: number) {
  return {
    debtor: doc.nodes[liabilities.debtor[k]!]?.id ?? '?',
    creditor: doc.nodes[liabilities.creditor[k]!]?.id ?? '?',
    amount: liabilities.amount[k]!,
  };
}

/** The node arrays of the clearing system (c, b, δ) and the index of each id; refuses duplicate ids. */
function nodeArrays(nodes: NetworkDocument['nodes'], arrays: ArrayAllocator = ordinaryArrays) {
  const nBanks = nodes.length;
  const ids = nodes.map((node) => node.id);
  const indexOf = new Map<string, number>();
  ids.forEach((id, index) => {
    if (indexOf.has(id)) throw new EngineInputError(`node "${id}" appears twice`, `nodes.${index}.id`);
    indexOf.set(id, index);
  });
  const outsideAssets = arrays.float64(nBanks);
  const outsideLiabilities = arrays.float64(nBanks);
  const defaultProbability = arrays.float64(nBanks);
  nodes.forEach((node, index) => {
    outsideAssets[index] = requiredAmount(node.outsideAssets, node.id, index, 'outsideAssets');
    outsideLiabilities[index] = requiredAmount(node.outsideLiabilities, node.id, index, 'outsideLiabilities');
    const delta = node.defaultProbability;
    defaultProbability[index] = delta === null || delta === undefined ? DEFAULT_DEFAULT_PROBABILITY : delta;
  });
  return { ids, indexOf, outsideAssets, outsideLiabilities, defaultProbability };
}

/** p̄ of entry k (debtor → creditor, by index), with the entry checks of toClearingSystem. */
function setLiability(
  pbarMatrix: Float64Array,
  nBanks: number,
  k: number,
  debtor: number,
  creditor: number,
  amount: number,
  debtorId: string,
  creditorId: string,
): void {
  if (debtor === creditor) throw new EngineInputError(`liability ${k}: self-loop on "${debtorId}"`, `liabilities.${k}`);
  if (!Number.isFinite(amount) || amount < 0) {
    throw new EngineInputError(
      `liability ${k} (${debtorId} → ${creditorId}): amount must be a finite number ≥ 0, got ${amount}`,
      `liabilities.${k}.amount`,
    );
  }
  if (pbarMatrix[debtor * nBanks + creditor]! !== 0) {
    throw new EngineInputError(`liability ${k}: second entry for ${debtorId} → ${creditorId}`, `liabilities.${k}`);
  }
  pbarMatrix[debtor * nBanks + creditor] = amount;
}

/**
 * Builds the system from arrays directly (tests, benchmarks, reconstruction). Takes ownership of the arrays; the
 * ones it adds come from `arrays`.
 */
export function fromDenseLiabilities(
  ids: string[],
  pbarMatrix: Float64Array,
  outsideAssets: Float64Array,
  outsideLiabilities: Float64Array,
  defaultProbability?: Float64Array,
  arrays: ArrayAllocator = ordinaryArrays,
): ClearingSystem {
  const nBanks = ids.length;
  if (
    pbarMatrix.length !== nBanks * nBanks ||
    outsideAssets.length !== nBanks ||
    outsideLiabilities.length !== nBanks
  ) {
    throw new EngineInputError(`array sizes do not match ${nBanks} banks`);
  }
  assertSupportedArray(outsideAssets, (i) => `node "${ids[i]}", outsideAssets`);
  assertSupportedArray(outsideLiabilities, (i) => `node "${ids[i]}", outsideLiabilities`);
  assertSupportedArray(pbarMatrix, (e) => `liability ${ids[Math.floor(e / nBanks)]} → ${ids[e % nBanks]}`);
  // a = p̄/p̄_i, dense like p̄
  assertMemoryFits(denseBytes(nBanks, 1), `clearing a network of ${banks(nBanks)}`);
  const totalObligations = arrays.float64(nBanks);
  const interbankAssets = arrays.float64(nBanks);
  let nLinks = 0;
  for (let i = 0; i < nBanks; i++) {
    let owed = outsideLiabilities[i]!;
    for (let j = 0; j < nBanks; j++) {
      const amount = pbarMatrix[i * nBanks + j]!;
      if (amount > 0) nLinks++;
      owed += amount;
      interbankAssets[j]! += amount;
    }
    totalObligations[i] = owed;
  }
  const relativeMemory =
    nBanks >= MATRIX_MEMORY_MIN_BANKS && nBanks * nBanks <= KERNEL_MAX_DOUBLES
      ? sharedMatrixMemory(nBanks * nBanks)
      : undefined;
  const relative = relativeMemory
    ? new Float64Array(relativeMemory.buffer, 0, nBanks * nBanks)
    : arrays.float64(nBanks * nBanks);
  const netWorth = arrays.float64(nBanks);
  const connectivity = arrays.float64(nBanks);
  const rowStart = arrays.int32(nBanks + 1);
  const creditor = arrays.int32(nLinks);
  const amountCsr = arrays.float64(nLinks);
  const relativeCsr = arrays.float64(nLinks);
  let entry = 0;
  for (let i = 0; i < nBanks; i++) {
    const owed = totalObligations[i]!;
    rowStart[i] = entry;
    for (let j = 0; j < nBanks; j++) {
      const amount = pbarMatrix[i * nBanks + j]!;
      if (amount <= 0) continue;
      const share = owed > 0 ? amount / owed : 0;
      relative[i * nBanks + j] = share;
      creditor[entry] = j;
      amountCsr[entry] = amount;
      relativeCsr[entry] = share;
      entry++;
    }
    netWorth[i] = outsideAssets[i]! + interbankAssets[i]! - owed;
    connectivity[i] = owed > 0 ? (owed - outsideLiabilities[i]!) / owed : 0;
  }
  rowStart[nBanks] = entry;
  return {
    ids,
    nBanks,
    pbarMatrix,
    totalObligations,
    outsideAssets,
    outsideLiabilities,
    interbankAssets,
    netWorth,
    relative,
    ...(relativeMemory && { relativeMemory }),
    connectivity,
    defaultProbability: defaultProbability ?? arrays.float64(nBanks).fill(DEFAULT_DEFAULT_PROBABILITY),
    csr: { rowStart, creditor, amount: amountCsr, relative: relativeCsr },
    nLinks,
  };
}

/** β⁺ = max_i β_i. */
export function maxConnectivity(system: ClearingSystem): number {
  let best = 0;
  for (let i = 0; i < system.nBanks; i++) best = Math.max(best, system.connectivity[i]!);
  return best;
}
