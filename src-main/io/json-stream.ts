/**
 * JSON from a file read in 1 MiB chunks, for documents too large to hold as one string (a dense 3,000-bank
 * network@1 file is about 500 MB; V8 strings stop at 2²⁹ − 24 characters). A recursive-descent parser over the
 * UTF-8 bytes (RFC 8259 grammar, strict: no trailing commas, comments or bare words) builds the same value as
 * JSON.parse; strings are decoded one by one (ASCII directly, the rest by a fatal UTF-8 decoder), numbers are
 * checked against the grammar and converted by Number(). Errors are one line with the line and column, in the
 * words of parseJsonText (network-json.ts).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { ImportError, quote } from './import-error';

const CHUNK = 1 << 20;
/** Deeper nesting is refused (the network formats nest four levels). */
const MAX_DEPTH = 512;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export class ChunkReader {
  buf = new Uint8Array(CHUNK);
  /** The same bytes as a Buffer (latin1 text of a stretch without copying it first). */
  private readonly bytes = Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  pos = 0;
  end = 0;
  line = 1;
  lineStart = 0;
  consumed = 0;
  private readonly fd: number;
  constructor(
    path: string,
    readonly fileName: string,
  ) {
    this.fd = openSync(path, 'r');
  }
  close(): void {
    closeSync(this.fd);
  }
  /** The bytes buf[start, end) as text, one character per byte (for ASCII: numbers, plain ids). */
  latin1(start: number, end: number): string {
    return this.bytes.toString('latin1', start, end);
  }
  /** Next chunk into the buffer; false at the end of the file. */
  refill(): boolean {
    this.consumed += this.end;
    this.lineStart -= this.end;
    this.end = readSync(this.fd, this.buf, 0, CHUNK, null);
    this.pos = 0;
    return this.end > 0;
  }
  peek(): number {
    if (this.pos === this.end && !this.refill()) return -1;
    return this.buf[this.pos]!;
  }
  next(): number {
    const byte = this.peek();
    if (byte >= 0) this.pos++;
    return byte;
  }
  /** The next byte that is not white space (not consumed), or -1 at the end of the file. */
  skipSpace(): number {
    const buf = this.buf;
    for (;;) {
      let at = this.pos;
      const end = this.end;
      while (at < end) {
        const byte = buf[at]!;
        if (byte === 0x0a) {
          this.line++;
          this.lineStart = at + 1;
        } else if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) {
          this.pos = at;
          return byte;
        }
        at++;
      }
      this.pos = at;
      if (!this.refill()) return -1;
    }
  }
  fail(what?: string): never {
    if (this.peek() < 0) throw new ImportError(`${this.fileName} is not valid JSON: it ends too early (truncated?)`);
    const column = this.pos - this.lineStart + 1;
    const shown = utf8
      .decode(this.buf.subarray(this.pos, Math.min(this.end, this.pos + 60)), { stream: false })
      .replace(/\uFFFD/g, '');
    throw new ImportError(
      `${this.fileName}: line ${this.line}, column ${column}: not valid JSON${what ? ` (${what})` : ''} — ${quote(shown)}`,
    );
  }
  expect(byte: number): void {
    if (this.next() !== byte) {
      this.pos--;
      this.fail();
    }
  }
}

export function parseValue(r: ChunkReader, depth: number): unknown {
  const byte = r.skipSpace();
  if (byte === 0x22) return parseString(r);
  if (byte === 0x7b || byte === 0x5b) {
    if (depth >= MAX_DEPTH) throw new ImportError(`${r.fileName} is not valid JSON: nested too deeply`);
    return byte === 0x7b ? parseObject(r, depth) : parseArray(r, depth);
  }
  if (byte === 0x2d || (byte >= 0x30 && byte <= 0x39)) return parseNumber(r);
  for (const [word, value] of [
    ['true', true],
    ['false', false],
    ['null', null],
  ] as const) {
    if (byte !== word.charCodeAt(0)) continue;
    for (let k = 0; k < word.length; k++) {
      if (r.peek() !== word.charCodeAt(k)) r.fail();
      r.pos++;
    }
    return value;
  }
  return r.fail();
}

function parseObject(r: ChunkReader, depth: number): Record<string, unknown> {
  r.pos++;
  const out: Record<string, unknown> = {};
  if (r.skipSpace() === 0x7d) {
    r.pos++;
    return out;
  }
  for (;;) {
    if (r.skipSpace() !== 0x22) r.fail('a name in quotes expected');
    const key = parseString(r);
    r.skipSpace();
    r.expect(0x3a);
    const value = parseValue(r, depth + 1);
    if (key === '__proto__')
      Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
    else out[key] = value;
    const after = r.skipSpace();
    r.pos++;
    if (after === 0x7d) return out;
    if (after !== 0x2c) {
      r.pos--;
      r.fail();
    }
  }
}

function parseArray(r: ChunkReader, depth: number): unknown[] {
  r.pos++;
  const out: unknown[] = [];
  if (r.skipSpace() === 0x5d) {
    r.pos++;
    return out;
  }
  for (;;) {
    out.push(parseValue(r, depth + 1));
    const after = r.skipSpace();
    r.pos++;
    if (after === 0x5d) return out;
    if (after !== 0x2c) {
      r.pos--;
      r.fail();
    }
  }
}

/** A string: the bytes up to the closing quote (across chunks), escapes resolved, UTF-8 checked. */
export function parseString(r: ChunkReader): string {
  r.pos++;
  let ascii = '';
  let bytes: number[] | null = null;
  for (;;) {
    const start = r.pos;
    let at = start;
    const { buf, end } = r;
    while (at < end) {
      const b = buf[at]!;
      if (b === 0x22 || b === 0x5c || b < 0x20 || b >= 0x80) break;
      at++;
    }
    if (bytes) for (let k = start; k < at; k++) bytes.push(buf[k]!);
    else for (let k = start; k < at; k++) ascii += String.fromCharCode(buf[k]!);
    r.pos = at;
    const b = r.peek();
    if (b < 0) r.fail();
    if (b === 0x22) {
      r.pos++;
      if (!bytes) return ascii;
      try {
        return utf8.decode(Uint8Array.from(bytes));
      } catch {
        throw new ImportError(`${r.fileName} is not valid UTF-8 text`);
      }
    }
    if (b >= 0x20 && b < 0x80 && b !== 0x5c) continue; // the scan stopped at the end of a chunk
    if (b < 0x20) r.fail('a control character inside a string');
    bytes ??= Array.from(ascii, (c) => c.charCodeAt(0));
    if (b >= 0x80) {
      bytes.push(b);
      r.pos++;
      continue;
    }
    r.pos++;
    const escape = r.next();
    const simple = { 0x22: 0x22, 0x5c: 0x5c, 0x2f: 0x2f, 0x62: 8, 0x66: 12, 0x6e: 10, 0x72: 13, 0x74: 9 }[escape];
    if (simple !== undefined) bytes.push(simple);
    else if (escape === 0x75) pushEscapedUnit(r, bytes);
    else r.fail('an unknown escape');
  }
}

/** \uXXXX (with its low surrogate when it is a high one) appended as UTF-8. */
function pushEscapedUnit(r: ChunkReader, bytes: number[]): void {
  const hex = (): number => {
    let value = 0;
    for (let k = 0; k < 4; k++) {
      const digit = Number.parseInt(String.fromCharCode(r.next()), 16);
      if (Number.isNaN(digit)) r.fail('a bad \\u escape');
      value = value * 16 + digit;
    }
    return value;
  };
  let unit = hex();
  let text = String.fromCharCode(unit);
  if (unit >= 0xd800 && unit < 0xdc00 && r.peek() === 0x5c) {
    r.pos++;
    if (r.next() !== 0x75) r.fail('a bad \\u escape');
    unit = hex();
    text += String.fromCharCode(unit);
  }
  for (const byte of new TextEncoder().encode(text)) bytes.push(byte);
}

const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

export function parseNumber(r: ChunkReader): number {
  let text = '';
  for (;;) {
    const b = r.peek();
    if (!((b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x2b || b === 0x2e || b === 0x65 || b === 0x45)) break;
    text += String.fromCharCode(b);
    r.pos++;
  }
  if (!NUMBER.test(text)) {
    r.pos -= Math.min(r.pos, text.length);
    r.fail('a malformed number');
  }
  return Number(text);
}

/** Parses the JSON file at `path` without reading it into one string; one-line ImportError otherwise. */
export function readJsonFile(path: string, fileName: string): unknown {
  return readJsonDocument(path, fileName, (reader) => parseValue(reader, 0));
}

/**
 * The file's one JSON document read by `parseDocument` (which starts at its first byte, white space skipped),
 * with the checks of readJsonFile around it: empty file, byte-order mark, nothing after the document.
 */
export function readJsonDocument<T>(path: string, fileName: string, parseDocument: (reader: ChunkReader) => T): T {
  const reader = new ChunkReader(path, fileName);
  try {
    if (reader.skipSpace() < 0) throw new ImportError(`${fileName} is empty (expected a JSON document)`);
    if (reader.peek() === 0xef) {
      for (const byte of [0xef, 0xbb, 0xbf]) reader.expect(byte);
    }
    const value = parseDocument(reader);
    if (reader.skipSpace() >= 0) reader.fail('content after the document');
    return value;
  } finally {
    reader.close();
  }
}
