/**
 * A network@1 file read as a stream straight into columns: the liabilities become three typed arrays (debtor and
 * creditor as indices into the node table, amounts as float64) instead of a million objects, so that a dense
 * 3,000-bank file (9 million liabilities, about 500 MB) loads in seconds and in the memory of the arrays.
 *
 * The byte-level parser of json-stream.ts reads everything but the `liabilities` array as ordinary JSON values. In
 * that array ids are interned from their bytes (a hash table over the UTF-8 of ids without escapes; no string per
 * entry) and amounts are converted from their bytes: exactly (one correctly rounded product or quotient, Clinger's
 * fast path) for at most 15 significant digits and a power of ten up to 22, by Number() of the digits otherwise —
 * the same double as JSON.parse either way. The rules are those of parseNetworkJson (network@1 schema: types,
 * bounds, unknown ids, self-loops, one entry per ordered pair, at least one bank), and a refusal is the same one
 * line with the same count of further problems: an entry that is not plain is checked by the entry's zod schema,
 * the document-wide rules are applied to the columns in the schema's order.
 */
import { toClearingSystemFromColumns, type ClearingSystem, type LiabilityColumns } from '../engines/network-arrays';
import { ImportError } from './import-error';
import { ChunkReader, parseNumber, parseString, parseValue, readJsonDocument } from './json-stream';
import { describeDocumentIssues, withoutMetadata } from './network-json';
import {
  liabilitySchema,
  MAX_AMOUNT,
  MAX_TEXT_LENGTH,
  NETWORK_FORMAT,
  networkDocumentSchema,
  type NetworkDocument,
} from '../../src-shared/formats/network';

/** A network@1 document without its liabilities, which are in `columns` (the same entries, in the file's order). */
export type NetworkHeader = Omit<NetworkDocument, 'liabilities'>;

export interface ColumnarNetwork {
  document: NetworkHeader;
  liabilities: LiabilityColumns;
}

type Issue = { path: PropertyKey[]; message: string };

const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/** Ids interned from their UTF-8 bytes (ASCII ids) or their text (the others): one index per distinct id. */
class IdTable {
  texts: string[] = [];
  /** UTF-16 length of each id (zod's min/max count these). */
  lengths: number[] = [];
  private arena = new Uint8Array(1 << 16);
  private arenaUsed = 0;
  private starts = new Int32Array(1 << 12);
  private hashes = new Int32Array(1 << 12);
  private slots = new Int32Array(1 << 13);
  private readonly wide = new Map<string, number>();
  private scratch = new Uint8Array(MAX_TEXT_LENGTH * 4);

  get size(): number {
    return this.texts.length;
  }

  /** The index of the ASCII id in bytes[start, end), hash `h` (fnv1a of the bytes). */
  ascii(bytes: Uint8Array, start: number, end: number, h: number): number {
    const mask = this.slots.length - 1;
    const length = end - start;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const held = this.slots[slot]!;
      if (held === 0) break;
      const index = held - 1;
      if (this.hashes[index] !== h || this.lengths[index] !== length) continue;
      const at = this.starts[index]!;
      let k = 0;
      while (k < length && this.arena[at + k] === bytes[start + k]) k++;
      if (k === length) return index;
    }
    const index = this.texts.length;
    this.texts.push(Buffer.from(bytes.buffer, bytes.byteOffset + start, length).toString('latin1'));
    this.lengths.push(length);
    if (this.arenaUsed + length > this.arena.length) {
      const grown = new Uint8Array(Math.max(this.arena.length * 2, this.arenaUsed + length));
      grown.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = grown;
    }
    this.arena.set(bytes.subarray(start, end), this.arenaUsed);
    if (index === this.starts.length) {
      const starts = new Int32Array(index * 2);
      starts.set(this.starts);
      this.starts = starts;
      const hashes = new Int32Array(index * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
    }
    this.starts[index] = this.arenaUsed;
    this.hashes[index] = h;
    this.arenaUsed += length;
    if (2 * (index + 1) > this.slots.length) this.rehash();
    else this.place(index);
    return index;
  }

  /** The index of any id given as text. */
  text(id: string): number {
    let ascii = true;
    for (let k = 0; ascii && k < id.length; k++) ascii = id.charCodeAt(k) < 0x80;
    if (ascii) {
      if (id.length > this.scratch.length) this.scratch = new Uint8Array(id.length);
      let h = FNV_OFFSET;
      for (let k = 0; k < id.length; k++) {
        this.scratch[k] = id.charCodeAt(k);
        h = Math.imul(h ^ this.scratch[k]!, FNV_PRIME);
      }
      return this.ascii(this.scratch, 0, id.length, h);
    }
    let index = this.wide.get(id);
    if (index === undefined) {
      index = this.texts.length;
      this.wide.set(id, index);
      this.texts.push(id);
      this.lengths.push(id.length);
    }
    return index;
  }

  private place(index: number): void {
    const mask = this.slots.length - 1;
    let slot = this.hashes[index]! & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = index + 1;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    for (let index = 0; index < this.texts.length; index++) if (!this.wide.has(this.texts[index]!)) this.place(index);
  }
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** Growable columns of interned ids and amounts. */
class Columns {
  count = 0;
  debtor = new Int32Array(1 << 16);
  creditor = new Int32Array(1 << 16);
  amount = new Float64Array(1 << 16);
  push(debtor: number, creditor: number, amount: number): void {
    if (this.count === this.amount.length) {
      const size = this.count * 2;
      const d = new Int32Array(size);
      d.set(this.debtor);
      this.debtor = d;
      const c = new Int32Array(size);
      c.set(this.creditor);
      this.creditor = c;
      const a = new Float64Array(size);
      a.set(this.amount);
      this.amount = a;
    }
    this.debtor[this.count] = debtor;
    this.creditor[this.count] = creditor;
    this.amount[this.count] = amount;
    this.count++;
  }
}

/** What the liabilities array held, beyond the columns: entries that are not plain and extra `id` fields. */
interface LiabilityState {
  ids: IdTable;
  columns: Columns;
  /** Entries read so far (the index of the next one). */
  entries: number;
  /** Issues of entries that break the entry schema, in order; the first one's entry as written. */
  entryIssues: number;
  firstEntryIssue?: { index: number; issue: Issue; entry: unknown };
  /** An entry failed on a type (an aborting issue): the document-wide rules are then not checked (as by zod). */
  aborted: boolean;
  /** `id` fields of liability entries (not part of the format, but named in a refusal as for any entry). */
  extraIds: Map<number, unknown>;
}

const isNumberStart = (b: number) => b === 0x2d || (b >= 0x30 && b <= 0x39);
const isNumberByte = (b: number) =>
  (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x2b || b === 0x2e || b === 0x65 || b === 0x45;

/**
 * The number at r.pos, as JSON.parse reads it: within the chunk from its bytes (exact fast path, or Number() of the
 * digits), across a chunk boundary by parseNumber.
 */
export function readNumber(r: ChunkReader): number {
  const { buf, end } = r;
  const start = r.pos;
  let stop = start;
  while (stop < end && isNumberByte(buf[stop]!)) stop++;
  if (stop === end) return parseNumber(r);
  let at = start;
  const negative = buf[at] === 0x2d;
  if (negative) at++;
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  let byte = buf[at]!;
  let ok = at < stop;
  if (byte === 0x30) at++;
  else if (byte >= 0x31 && byte <= 0x39) {
    while (at < stop && (byte = buf[at]!) >= 0x30 && byte <= 0x39) {
      if (digits < 16) mantissa = mantissa * 10 + (byte - 0x30);
      else scale++;
      digits++;
      at++;
    }
  } else ok = false;
  if (ok && at < stop && buf[at] === 0x2e) {
    at++;
    const first = at;
    while (at < stop && (byte = buf[at]!) >= 0x30 && byte <= 0x39) {
      if (mantissa === 0 && byte === 0x30) scale--;
      else {
        if (digits < 16) {
          mantissa = mantissa * 10 + (byte - 0x30);
          scale--;
        }
        digits++;
      }
      at++;
    }
    if (at === first) ok = false;
  }
  if (ok && at < stop && (buf[at] === 0x65 || buf[at] === 0x45)) {
    at++;
    let sign = 1;
    if (at < stop && (buf[at] === 0x2b || buf[at] === 0x2d)) sign = buf[at++] === 0x2d ? -1 : 1;
    const first = at;
    let exponent = 0;
    while (at < stop && (byte = buf[at]!) >= 0x30 && byte <= 0x39) {
      if (exponent < 1e6) exponent = exponent * 10 + (byte - 0x30);
      at++;
    }
    if (at === first) ok = false;
    scale += sign * exponent;
  }
  if (!ok || at !== stop) {
    r.fail('a malformed number');
  }
  r.pos = stop;
  if (mantissa === 0) return negative ? -0 : 0;
  if (digits <= 15 && scale >= -22 && scale <= 22) {
    const value = scale >= 0 ? mantissa * POW10[scale]! : mantissa / POW10[-scale]!;
    return negative ? -value : value;
  }
  return Number(r.latin1(start, stop));
}

/** The id string at r.pos (its opening quote): interned from its bytes when plain ASCII within the chunk. */
function readId(r: ChunkReader, ids: IdTable): number {
  const { buf, end } = r;
  const start = r.pos + 1;
  let at = start;
  let h = FNV_OFFSET;
  while (at < end) {
    const b = buf[at]!;
    if (b === 0x22 || b === 0x5c || b < 0x20 || b >= 0x80) break;
    h = Math.imul(h ^ b, FNV_PRIME);
    at++;
  }
  if (at < end && buf[at] === 0x22) {
    r.pos = at + 1;
    return ids.ascii(buf, start, at, h);
  }
  return ids.text(parseString(r));
}

/** A field name at r.pos (its opening quote): 1 debtor, 2 creditor, 3 amount, else the name's text. */
function readKey(r: ChunkReader): number | string {
  const { buf, end } = r;
  const start = r.pos + 1;
  let at = start;
  while (at < end && at - start < 9) {
    const b = buf[at]!;
    if (b === 0x22 || b === 0x5c || b < 0x20 || b >= 0x80) break;
    at++;
  }
  if (at < end && buf[at] === 0x22) {
    const n = at - start;
    const c = buf[start];
    if (n === 6 && c === 0x64 && matches(buf, start, 'debtor')) return endKey(r, at, 1);
    if (n === 8 && c === 0x63 && matches(buf, start, 'creditor')) return endKey(r, at, 2);
    if (n === 6 && c === 0x61 && matches(buf, start, 'amount')) return endKey(r, at, 3);
  }
  const key = parseString(r);
  return key === 'debtor' ? 1 : key === 'creditor' ? 2 : key === 'amount' ? 3 : key;
}
function matches(buf: Uint8Array, start: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if (buf[start + k] !== word.charCodeAt(k)) return false;
  return true;
}
function endKey(r: ChunkReader, quote: number, field: number): number {
  r.pos = quote + 1;
  return field;
}

/** Sets a field of an entry as written (for the entry's own schema check), `__proto__` as an own field. */
function setField(entry: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(entry, key, { value, enumerable: true, configurable: true, writable: true });
  else entry[key] = value;
}

/** One entry of the liabilities array (at r.pos, white space skipped), depth as parseValue counts it. */
function readEntry(r: ChunkReader, state: LiabilityState, depth: number): void {
  const index = state.entries++;
  if (r.peek() !== 0x7b) {
    checkEntry(state, index, parseValue(r, depth));
    return;
  }
  r.pos++;
  // Ids as table indices (-1: absent or not a string, then the value as written is in `*Value`).
  let debtor = -1;
  let creditor = -1;
  let amount = 0;
  let hasAmount = false;
  let debtorValue: unknown;
  let creditorValue: unknown;
  let amountValue: unknown;
  let extra: Record<string, unknown> | undefined;
  if (r.skipSpace() === 0x7d) r.pos++;
  else
    for (;;) {
      if (r.skipSpace() !== 0x22) r.fail('a name in quotes expected');
      const key = readKey(r);
      r.skipSpace();
      r.expect(0x3a);
      const byte = r.skipSpace();
      if (key === 1 || key === 2) {
        let id = -1;
        let value: unknown;
        if (byte === 0x22) id = readId(r, state.ids);
        else value = parseValue(r, depth + 1);
        if (key === 1) [debtor, debtorValue] = [id, value];
        else [creditor, creditorValue] = [id, value];
      } else if (key === 3) {
        hasAmount = isNumberStart(byte);
        if (hasAmount) amount = readNumber(r);
        else amountValue = parseValue(r, depth + 1);
      } else {
        extra ??= {};
        setField(extra, String(key), parseValue(r, depth + 1));
        if (key === 'id') state.extraIds.set(index, extra.id);
      }
      const after = r.skipSpace();
      r.pos++;
      if (after === 0x7d) break;
      if (after !== 0x2c) {
        r.pos--;
        r.fail();
      }
    }
  const { ids } = state;
  if (debtor >= 0 && creditor >= 0 && hasAmount) {
    const plain =
      amount >= 0 &&
      amount <= MAX_AMOUNT &&
      ids.lengths[debtor]! >= 1 &&
      ids.lengths[debtor]! <= MAX_TEXT_LENGTH &&
      ids.lengths[creditor]! >= 1 &&
      ids.lengths[creditor]! <= MAX_TEXT_LENGTH;
    // A finite amount and two id strings: any issue is a bound (zod goes on to the document-wide rules).
    if (Number.isFinite(amount) && !state.aborted) state.columns.push(debtor, creditor, amount);
    if (plain) return;
  }
  const entry: Record<string, unknown> = { ...extra };
  setField(entry, 'debtor', debtor >= 0 ? ids.texts[debtor] : debtorValue);
  setField(entry, 'creditor', creditor >= 0 ? ids.texts[creditor] : creditorValue);
  setField(entry, 'amount', hasAmount ? amount : amountValue);
  for (const key of ['debtor', 'creditor', 'amount'] as const) if (entry[key] === undefined) delete entry[key];
  checkEntry(state, index, entry, debtor >= 0 && creditor >= 0 && hasAmount && Number.isFinite(amount));
}

/** An entry that is not plain, checked by the entry schema; `pushed`: already in the columns (bounds issues only). */
function checkEntry(state: LiabilityState, index: number, entry: unknown, pushed = false): void {
  const parsed = liabilitySchema.safeParse(entry);
  if (parsed.success) {
    // Plain after all (e.g. ids with escapes): into the columns.
    if (!pushed && !state.aborted)
      state.columns.push(state.ids.text(parsed.data.debtor), state.ids.text(parsed.data.creditor), parsed.data.amount);
    return;
  }
  if (!pushed) state.aborted = true;
  const issues = parsed.error.issues;
  if (state.entryIssues === 0)
    state.firstEntryIssue = {
      index,
      issue: { path: ['liabilities', index, ...issues[0]!.path], message: issues[0]!.message },
      entry,
    };
  state.entryIssues += issues.length;
}

/** The liabilities array at r.pos (its '['). */
function readLiabilities(r: ChunkReader, depth: number): LiabilityState {
  const state: LiabilityState = {
    ids: new IdTable(),
    columns: new Columns(),
    entries: 0,
    entryIssues: 0,
    aborted: false,
    extraIds: new Map(),
  };
  r.pos++;
  if (r.skipSpace() === 0x5d) {
    r.pos++;
    return state;
  }
  for (;;) {
    r.skipSpace();
    readEntry(r, state, depth + 1);
    const after = r.skipSpace();
    r.pos++;
    if (after === 0x5d) return state;
    if (after !== 0x2c) {
      r.pos--;
      r.fail();
    }
  }
}

/** The top-level value: an object read field by field, its `liabilities` array into columns. */
function readTop(r: ChunkReader): { raw: unknown; liabilities?: LiabilityState } {
  if (r.peek() !== 0x7b) return { raw: parseValue(r, 0) };
  r.pos++;
  const raw: Record<string, unknown> = {};
  let liabilities: LiabilityState | undefined;
  if (r.skipSpace() === 0x7d) {
    r.pos++;
    return { raw };
  }
  for (;;) {
    if (r.skipSpace() !== 0x22) r.fail('a name in quotes expected');
    const key = parseString(r);
    r.skipSpace();
    r.expect(0x3a);
    if (key === 'liabilities' && r.skipSpace() === 0x5b) {
      liabilities = readLiabilities(r, 1);
      raw.liabilities = [];
    } else {
      if (key === 'liabilities') liabilities = undefined;
      setField(raw, key, parseValue(r, 1));
    }
    const after = r.skipSpace();
    r.pos++;
    if (after === 0x7d) return { raw, liabilities };
    if (after !== 0x2c) {
      r.pos--;
      r.fail();
    }
  }
}

/** Issues of the document-wide rules over the liabilities, in the schema's order: the first and how many. */
function documentWideIssues(
  state: LiabilityState,
  nodeIds: string[],
): { first?: { index: number; issue: Issue }; count: number; node: Int32Array } {
  const { ids, columns } = state;
  const n = columns.count;
  const nodeAt = nodeIds.map((id) => ids.text(id));
  const node = new Int32Array(ids.size).fill(-1);
  nodeAt.forEach((at, index) => {
    if (node[at] === -1) node[at] = index;
  });
  const { debtor, creditor } = columns;
  // 1 unknown debtor, 2 unknown creditor, 4 self-loop, 8 second entry for the pair
  let flags: Uint8Array | undefined;
  const flag = (k: number, bit: number) => {
    flags ??= new Uint8Array(n);
    flags[k]! |= bit;
  };
  for (let k = 0; k < n; k++) {
    const d = debtor[k]!;
    const c = creditor[k]!;
    if (node[d]! < 0 || node[c]! < 0 || d === c) {
      if (node[d]! < 0) flag(k, 1);
      if (node[c]! < 0) flag(k, 2);
      if (d === c) flag(k, 4);
    }
  }
  // Second entries: the entries grouped by debtor (stable), each creditor marked per debtor.
  const rows = ids.size;
  const rowStart = new Int32Array(rows + 1);
  for (let k = 0; k < n; k++) rowStart[debtor[k]! + 1]!++;
  for (let d = 0; d < rows; d++) rowStart[d + 1]! += rowStart[d]!;
  const order = new Int32Array(n);
  const fill = rowStart.slice(0, rows);
  for (let k = 0; k < n; k++) order[fill[debtor[k]!]!++] = k;
  const mark = new Int32Array(rows).fill(-1);
  for (let d = 0; d < rows; d++) {
    for (let at = rowStart[d]!; at < rowStart[d + 1]!; at++) {
      const k = order[at]!;
      const c = creditor[k]!;
      if (mark[c] === d) flag(k, 8);
      else mark[c] = d;
    }
  }
  if (!flags) return { count: 0, node };
  let count = 0;
  let first: { index: number; issue: Issue } | undefined;
  for (let k = 0; k < n; k++) {
    const bits = flags[k]!;
    if (bits === 0) continue;
    for (let bit = bits; bit !== 0; bit &= bit - 1) count++;
    if (first) continue;
    const d = ids.texts[debtor[k]!]!;
    const c = ids.texts[creditor[k]!]!;
    const issue: Issue =
      bits & 1
        ? { path: ['liabilities', k, 'debtor'], message: `unknown node id "${d}"` }
        : bits & 2
          ? { path: ['liabilities', k, 'creditor'], message: `unknown node id "${c}"` }
          : bits & 4
            ? { path: ['liabilities', k], message: `self-loop on "${d}" is not allowed` }
            : {
                path: ['liabilities', k],
                message: `second entry for debtor "${d}" → creditor "${c}" (at most one per ordered pair)`,
              };
    first = { index: k, issue };
  }
  return { first, count, node };
}

/**
 * Reads a network@1 file as a stream into a header and liability columns; refuses it in one line, in the words of
 * parseNetworkJson, when it breaks a rule.
 */
export function readNetworkJsonColumns(path: string, fileName = 'network file'): ColumnarNetwork {
  const { raw, liabilities } = readJsonDocument(path, fileName, readTop);
  const refuse = (message: string, field?: string): never => {
    throw new ImportError(`${fileName}: ${message}`, field);
  };
  if (!liabilities) {
    // No liabilities array: a small document, checked whole as the whole-file reader does.
    const parsed = safeParse(raw, fileName);
    if (!parsed.success) {
      const { message, field } = describeDocumentIssues(parsed.error.issues, raw);
      refuse(message, field);
    }
    throw new ImportError(`${fileName}: the liabilities are missing`, 'liabilities');
  }
  const header = raw as Record<string, unknown>;
  const plain = safeParse(header, fileName);
  let headerIssues: Issue[] = [];
  let headerAborted = false;
  if (!plain.success) {
    // Did the document-wide rules run on the header? They did when they flag this self-loop.
    const probeId = '\u0000cwb-probe';
    const probe = safeParse({ ...header, liabilities: [{ debtor: probeId, creditor: probeId, amount: 0 }] }, fileName);
    const issues = probe.error?.issues ?? [];
    headerAborted = !issues.some((issue) => issue.path[0] === 'liabilities' && issue.message.startsWith('self-loop'));
    headerIssues = issues
      .filter((issue) => issue.path[0] !== 'liabilities')
      .map((issue) => ({ path: [...issue.path], message: issue.message }));
  }
  const isRefinement = (issue: Issue) => issue.message.startsWith('duplicate node id "');
  const base = headerIssues.filter((issue) => !isRefinement(issue));
  const nodeRules = headerIssues.filter(isRefinement);
  const rulesRun = !headerAborted && !liabilities.aborted;
  const nodeIds = plain.success
    ? plain.data.nodes.map((node) => node.id)
    : Array.isArray(header.nodes)
      ? header.nodes
          .map((node: unknown) => (node as { id?: unknown } | null)?.id)
          .filter((id): id is string => typeof id === 'string')
      : [];
  const wide = rulesRun ? documentWideIssues(liabilities, nodeIds) : { count: 0, node: new Int32Array(0) };
  const count = base.length + liabilities.entryIssues + (rulesRun ? nodeRules.length + wide.count : 0);
  if (count > 0) {
    let first: Issue;
    let entry: { index: number; value: unknown } | undefined;
    if (base[0]) first = base[0];
    else if (liabilities.firstEntryIssue) {
      first = liabilities.firstEntryIssue.issue;
      entry = { index: liabilities.firstEntryIssue.index, value: liabilities.firstEntryIssue.entry };
    } else if (nodeRules[0]) first = nodeRules[0];
    else {
      const { index, issue } = wide.first!;
      first = issue;
      const { ids, columns } = liabilities;
      const written: Record<string, unknown> = {
        debtor: ids.texts[columns.debtor[index]!],
        creditor: ids.texts[columns.creditor[index]!],
        amount: columns.amount[index],
      };
      if (liabilities.extraIds.has(index)) written.id = liabilities.extraIds.get(index);
      entry = { index, value: written };
    }
    const rows: unknown[] = [];
    if (entry) rows[entry.index] = entry.value;
    const issues = [first, ...Array.from({ length: count - 1 }, () => first)];
    const { message, field } = describeDocumentIssues(issues, { ...header, liabilities: rows });
    refuse(message, field);
  }
  if (!plain.success) throw new ImportError(`${fileName}: refused`);
  const document: NetworkHeader = withoutMetadata({ ...plain.data });
  delete (document as Partial<NetworkDocument>).liabilities;
  if (document.nodes.length === 0) throw new ImportError(`${fileName}: the network has no banks`, 'nodes');
  const { columns } = liabilities;
  const n = columns.count;
  const debtor = columns.debtor.subarray(0, n);
  const creditor = columns.creditor.subarray(0, n);
  for (let k = 0; k < n; k++) {
    debtor[k] = wide.node[debtor[k]!]!;
    creditor[k] = wide.node[creditor[k]!]!;
  }
  return { document, liabilities: { count: n, debtor, creditor, amount: columns.amount.subarray(0, n) } };
}

/**
 * The clearing system of a network@1 file read into columns (`cwb stress` on a file: shards, files over the store's
 * limit), with the document's header (name, nodes); no liability objects are built.
 */
export function readClearingSystemFile(
  path: string,
  fileName = 'network file',
): { document: NetworkHeader; system: ClearingSystem } {
  const { document, liabilities } = readNetworkJsonColumns(path, fileName);
  return { document, system: toClearingSystemFromColumns(document, liabilities) };
}

function safeParse(raw: unknown, fileName: string) {
  try {
    return networkDocumentSchema.safeParse(raw);
  } catch {
    throw new ImportError(`${fileName} was refused: the document is nested too deeply`);
  }
}

/** The columns as network@1 liability objects (tests, small files). */
export function liabilityObjects(network: ColumnarNetwork): NetworkDocument {
  const { document, liabilities } = network;
  const ids = document.nodes.map((node) => node.id);
  const entries = Array.from({ length: liabilities.count }, (_, k) => ({
    debtor: ids[liabilities.debtor[k]!]!,
    creditor: ids[liabilities.creditor[k]!]!,
    amount: liabilities.amount[k]!,
  }));
  return { ...document, format: NETWORK_FORMAT, liabilities: entries };
}
