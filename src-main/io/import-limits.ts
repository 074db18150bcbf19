/**
 * What an import may cost, and how a refusal reads (docs/data-protection/imports.md).
 *
 * Limits: the defaults below, each overridable by an environment variable (a whole number of bytes, characters
 * or banks) or by the `overrides` of `importLimits`. Every refusal is one line of at most 300 characters:
 * `FILE: row R, column C: rule — "≤ 60 characters of the offending content…"`, with line breaks and control
 * characters in quoted content escaped.
 */
import { Readable } from 'node:stream';
import { createReadStream, openSync, closeSync, readSync, fstatSync } from 'node:fs';
import { createInflateRaw, crc32 } from 'node:zlib';
import { MAX_NODES, MAX_TEXT_LENGTH } from '../../src-shared/formats/network';
import { ImportError, quote } from './import-error';

export { MAX_MESSAGE_CHARS, QUOTED_CHARS, oneLine, quote } from './import-error';

export interface ImportLimits {
  /** Bytes in one file. */
  fileBytes: number;
  /** Characters in one line of a text file (CSV, JSON, XML). */
  lineChars: number;
  /** Characters in an id, a name or another text cell that becomes one. */
  cellChars: number;
  /** Banks (or firms) in one network. */
  nodes: number;
  /** Bytes of an XLSX workbook once uncompressed (all parts). */
  xlsxUncompressedBytes: number;
  /** Bytes of one XLSX part once uncompressed (a sheet, the shared strings). */
  xlsxPartBytes: number;
}

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

export const DEFAULT_IMPORT_LIMITS: Readonly<ImportLimits> = Object.freeze({
  fileBytes: 2 * GiB,
  lineChars: 1 * MiB,
  cellChars: MAX_TEXT_LENGTH,
  nodes: MAX_NODES,
  xlsxUncompressedBytes: 2 * GiB,
  xlsxPartBytes: 1 * GiB,
});

const ENV: Record<keyof ImportLimits, string> = {
  fileBytes: 'CWB_IMPORT_MAX_FILE_BYTES',
  lineChars: 'CWB_IMPORT_MAX_LINE_CHARS',
  cellChars: 'CWB_IMPORT_MAX_CELL_CHARS',
  nodes: 'CWB_IMPORT_MAX_NODES',
  xlsxUncompressedBytes: 'CWB_IMPORT_MAX_XLSX_BYTES',
  xlsxPartBytes: 'CWB_IMPORT_MAX_XLSX_PART_BYTES',
};

/** The limits in force: the defaults, then the environment, then the overrides. */
export function importLimits(overrides: Partial<ImportLimits> = {}): ImportLimits {
  const limits = { ...DEFAULT_IMPORT_LIMITS };
  for (const key of Object.keys(ENV) as Array<keyof ImportLimits>) {
    const raw = process.env[ENV[key]];
    const value = raw === undefined || raw.trim() === '' ? Number.NaN : Number(raw);
    if (Number.isSafeInteger(value) && value > 0) limits[key] = value;
    const given = overrides[key];
    if (given !== undefined && Number.isFinite(given) && given > 0) limits[key] = given;
  }
  // The network format's own bounds cannot be loosened, only tightened.
  limits.cellChars = Math.min(limits.cellChars, MAX_TEXT_LENGTH);
  limits.nodes = Math.min(limits.nodes, MAX_NODES);
  return limits;
}

/** 2147483648 → "2 GiB", 1048576 → "1 MiB", 1000 → "1,000 bytes". */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ['GiB', GiB],
    ['MiB', MiB],
    ['KiB', 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(1)} MiB`;
  return `${bytes.toLocaleString('en-US')} bytes`;
}

/** The shape of every refusal: `FILE: row R, column C: rule — "content…"` (row, column and content optional). */
export function refusal(
  file: string,
  where: { row?: number | string; column?: string },
  rule: string,
  content?: string,
): string {
  const at = [
    where.row === undefined ? '' : typeof where.row === 'number' ? `row ${where.row}` : where.row,
    where.column === undefined
      ? ''
      : /^\d+$/.test(where.column)
        ? `column ${where.column}`
        : `column ${quote(where.column, 40)}`,
  ].filter((part) => part !== '');
  return `${file}: ${at.length > 0 ? `${at.join(', ')}: ` : ''}${rule}${content === undefined ? '' : ` — ${quote(content)}`}`;
}

/** Refuses a file larger than the limit (checked before it is read). */
export function checkFileSize(fileName: string, bytes: number, limits = importLimits()): void {
  if (bytes === 0) throw new ImportError(`${fileName} is empty (0 bytes)`);
  if (bytes > limits.fileBytes) {
    throw new ImportError(
      `${fileName} is ${formatBytes(bytes)}, over the limit of ${formatBytes(limits.fileBytes)} per file (${ENV.fileBytes})`,
    );
  }
}

/** The line-length refusal (the line numbered from 1). */
export function lineTooLong(fileName: string, line: number, limits = importLimits()): ImportError {
  return new ImportError(
    `${fileName}: row ${line}: line longer than ${formatBytes(limits.lineChars).replace('bytes', 'characters')} (the limit per line, ${ENV.lineChars})`,
  );
}

/** Refuses text with a line longer than the limit; returns the text. */
export function checkLineLengths(fileName: string, text: string, limits = importLimits()): string {
  if (text.length <= limits.lineChars) return text;
  let start = 0;
  let line = 1;
  for (;;) {
    const end = text.indexOf('\n', start);
    const stop = end < 0 ? text.length : end;
    if (stop - start > limits.lineChars) throw lineTooLong(fileName, line, limits);
    if (end < 0) return text;
    start = end + 1;
    line += 1;
  }
}

/** Tracks line lengths over streamed text chunks; throws on the first line over the limit. */
export class LineLengthGuard {
  private current = 0;
  private line = 1;

  constructor(
    private readonly fileName: string,
    private readonly limits = importLimits(),
  ) {}

  check(chunk: string): void {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf('\n', start);
      const stop = end < 0 ? chunk.length : end;
      this.current += stop - start;
      if (this.current > this.limits.lineChars) throw lineTooLong(this.fileName, this.line, this.limits);
      if (end < 0) return;
      this.current = 0;
      this.line += 1;
      start = end + 1;
    }
  }
}

/** Strict UTF-8 (a leading BOM dropped); anything else refused naming the first bad byte. */
export function decodeUtf8Strict(fileName: string, bytes: Uint8Array, what = 'UTF-8'): string {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    return text;
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const byte = bytes[offset] ?? 0;
    throw new ImportError(
      `${fileName} is not ${what} (byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')} at offset ${offset}); save it as UTF-8`,
    );
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const length =
      b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0) return i;
    if (length > 1) {
      const sequence = bytes.subarray(i, i + length);
      if (sequence.length < length) return i;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(sequence);
      } catch {
        return i;
      }
    }
    i += length;
  }
  return Math.max(0, bytes.length - 1);
}

/** The one-line refusal of a workbook that cannot be read, and why. */
export function unreadableXlsx(fileName: string, why: string): ImportError {
  return new ImportError(`${fileName} is not a readable XLSX workbook: ${why}`);
}

/** Where to read an archive from: bytes in memory or a file on disk. */
export type ArchiveSource = { bytes: Uint8Array } | { path: string };

/** Where a checked archive's parts lie: each entry's local header, and the central directory's start. */
export interface XlsxArchiveLayout {
  readonly size: number;
  readonly directoryOffset: number;
  readonly entries: readonly ZipEntry[];
}

interface ZipEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeader: number;
}

/**
 * Checks an XLSX workbook (a zip archive) before a spreadsheet reader opens it: the archive is complete (its
 * central directory is found and every entry's data is where it says), no part would uncompress beyond the
 * limits — each entry is inflated once, counting bytes without keeping them, so a zip bomb or a 200 MB shared
 * string is refused after reading at most the limit — and every CRC matches (a truncated or bit-flipped workbook
 * is refused here, not deep inside the reader). Returns where the parts lie (`workbookPartsFirst`).
 */
export async function checkXlsxArchive(
  fileName: string,
  source: ArchiveSource,
  limits = importLimits(),
): Promise<XlsxArchiveLayout> {
  let fd: number | undefined;
  try {
    const size = 'bytes' in source ? source.bytes.byteLength : fstatSync((fd = openSync(source.path, 'r'))).size;
    checkFileSize(fileName, size, limits);
    const read = (offset: number, length: number): Buffer => {
      if ('bytes' in source)
        return Buffer.from(
          source.bytes.buffer,
          source.bytes.byteOffset + offset,
          Math.max(0, Math.min(length, size - offset)),
        );
      const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
      readSync(fd!, buffer, 0, buffer.length, offset);
      return buffer;
    };
    const broken = (why: string) => unreadableXlsx(fileName, why);
    const layout = archiveLayout(size, read, broken);
    const { entries } = layout;
    let total = 0;
    for (const entry of entries) {
      const part = quote(entry.name, 40);
      if (entry.uncompressedSize > limits.xlsxPartBytes) {
        throw new ImportError(
          `${fileName}: part ${part} uncompresses to ${formatBytes(entry.uncompressedSize)}, over the limit of ${formatBytes(limits.xlsxPartBytes)} per part (${ENV.xlsxPartBytes})`,
        );
      }
      total += entry.uncompressedSize;
      if (total > limits.xlsxUncompressedBytes) {
        throw new ImportError(
          `${fileName} uncompresses to more than ${formatBytes(limits.xlsxUncompressedBytes)}, the limit per workbook (${ENV.xlsxUncompressedBytes})`,
        );
      }
      const local = read(entry.localHeader, 30);
      if (local.length < 30 || local.readUInt32LE(0) !== 0x04034b50)
        throw broken(`part ${part} is damaged (no local header)`);
      const dataStart = entry.localHeader + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      if (dataStart + entry.compressedSize > size) throw broken(`part ${part} is truncated`);
      if (entry.method !== 0 && entry.method !== 8)
        throw broken(`part ${part} uses an unsupported compression method ${entry.method}`);
      const data: Readable =
        'bytes' in source
          ? Readable.from([Buffer.from(source.bytes.buffer, source.bytes.byteOffset + dataStart, entry.compressedSize)])
          : entry.compressedSize === 0
            ? Readable.from([])
            : createReadStream(source.path, { start: dataStart, end: dataStart + entry.compressedSize - 1 });
      const { bytes, crc, longestText } = await inflateCounting(data, entry.method === 8, entry.uncompressedSize, () =>
        broken(`part ${part} uncompresses to more than its directory says (${formatBytes(entry.uncompressedSize)})`),
      ).catch((error: unknown) => {
        if (error instanceof ImportError) throw error;
        throw broken(`part ${part} is damaged (${firstLine((error as Error).message)})`);
      });
      if (bytes !== entry.uncompressedSize || crc !== entry.crc)
        throw broken(`part ${part} is damaged (size or checksum does not match)`);
      if (/\.xml$/i.test(entry.name) && longestText > limits.lineChars) {
        throw new ImportError(
          `${fileName}: part ${part} holds a text of more than ${formatBytes(limits.lineChars).replace('bytes', 'characters')} (the limit per cell, ${ENV.lineChars})`,
        );
      }
    }
    return layout;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The central directory of a zip archive of `size` bytes read by `read`; `broken` words a refusal. */
function archiveLayout(
  size: number,
  read: (offset: number, length: number) => Buffer,
  broken: (why: string) => ImportError,
): XlsxArchiveLayout {
  if (size < 22 || read(0, 2).toString('latin1') !== 'PK')
    throw broken('not a zip archive (an XLSX file starts with "PK")');
  const tailLength = Math.min(size, 22 + 65_535);
  const tail = read(size - tailLength, tailLength);
  const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0 || eocd + 22 > tail.length) throw broken('the archive is truncated (no end of central directory)');
  const count = tail.readUInt16LE(eocd + 10);
  const directorySize = tail.readUInt32LE(eocd + 12);
  const directoryOffset = tail.readUInt32LE(eocd + 16);
  if (directoryOffset + directorySize > size)
    throw broken('the archive is truncated (central directory beyond the end)');
  const directory = read(directoryOffset, directorySize);
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let k = 0; k < count; k += 1) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== 0x02014b50)
      throw broken(`central directory entry ${k + 1} is damaged`);
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    entries.push({
      name: directory.toString('utf8', at + 46, Math.min(directory.length, at + 46 + nameLength)),
      method: directory.readUInt16LE(at + 10),
      crc: directory.readUInt32LE(at + 16),
      compressedSize: directory.readUInt32LE(at + 20),
      uncompressedSize: directory.readUInt32LE(at + 24),
      localHeader: directory.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  if (!entries.some((entry) => entry.name === '[Content_Types].xml'))
    throw broken('no [Content_Types].xml part (not an Office Open XML file)');
  return { size, directoryOffset, entries };
}

/**
 * Where the parts of an XLSX archive lie, from its central directory only (nothing inflated): for a reader given an
 * archive that `checkXlsxArchive` has already checked, or that is checked as it is read.
 */
export function xlsxArchiveLayout(fileName: string, bytes: Uint8Array): XlsxArchiveLayout {
  const read = (offset: number, length: number) =>
    Buffer.from(bytes.buffer, bytes.byteOffset + offset, Math.max(0, Math.min(length, bytes.byteLength - offset)));
  return archiveLayout(bytes.byteLength, read, (why) => unreadableXlsx(fileName, why));
}

/** Reading rank of a workbook part: what a worksheet is read against comes first, the worksheets last. */
function partRank(name: string): number {
  const first = ['[Content_Types].xml', '_rels/.rels', 'xl/_rels/workbook.xml.rels', 'xl/workbook.xml'];
  if (first.includes(name)) return first.indexOf(name);
  if (name === 'xl/sharedStrings.xml' || name === 'xl/styles.xml') return first.length;
  return name.startsWith('xl/worksheets/') ? first.length + 2 : first.length + 1;
}

/**
 * Parts a worksheet is read against, with what stands in for each where a workbook has none: ExcelJS's streaming
 * WorkbookReader reads a worksheet at once only when it has met both, and parks it in a plain-text temporary file
 * otherwise. An empty shared-string table changes nothing (a workbook without one has no shared-string cell); empty
 * workbook relationships leave the sheets unnamed, as the reader would.
 */
const STAND_INS: ReadonlyArray<{ name: string; text: string }> = [
  {
    name: 'xl/_rels/workbook.xml.rels',
    text: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>',
  },
  {
    name: 'xl/sharedStrings.xml',
    text: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>',
  },
];

/** A stored (uncompressed) zip part: local header, name and data, as a streaming reader takes it. */
function storedPart(name: string, text: string): Buffer {
  const data = Buffer.from(text, 'utf8');
  const nameBytes = Buffer.from(name, 'utf8');
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4); // version needed to extract: 2.0
  header.writeUInt16LE(0x21, 12); // last modified 1980-01-01, 00:00 (flags, method and time zero)
  header.writeUInt32LE(crc32(data), 14);
  header.writeUInt32LE(data.length, 18);
  header.writeUInt32LE(data.length, 22);
  header.writeUInt16LE(nameBytes.length, 26);
  return Buffer.concat([header, nameBytes, data]);
}

/**
 * The bytes of a checked XLSX archive with the parts a worksheet is read against first — the relationships, the
 * workbook, the shared strings and the styles — and the worksheets last, for a reader that takes the parts in the
 * order they are stored. ExcelJS's streaming WorkbookReader reads a worksheet met before the workbook part against
 * a model it does not have yet, so a workbook that stores it last fails at random (exceljs#3064: "Cannot read
 * properties of undefined (reading 'sheets')"), and it parks a worksheet met before the shared strings and the
 * workbook relationships in a temporary file, in plain text — a workbook without either part gets an empty one
 * (`STAND_INS`), so that no worksheet is ever parked. Each part is copied as stored (local header, data and data
 * descriptor: nothing is inflated), then the central directory as it was; a streaming reader stops at the directory
 * and does not read its offsets.
 */
export function workbookPartsFirst(source: ArchiveSource, layout: XlsxArchiveLayout): Readable {
  const byOffset = [...layout.entries].sort((a, b) => a.localHeader - b.localHeader);
  type Piece = { start: number; end: number } | { bytes: Buffer };
  const parts: Array<{ rank: number; piece: Piece }> = byOffset.map((entry, k) => ({
    rank: partRank(entry.name),
    piece: { start: entry.localHeader, end: byOffset[k + 1]?.localHeader ?? layout.directoryOffset },
  }));
  for (const { name, text } of STAND_INS)
    if (!layout.entries.some((entry) => entry.name === name))
      parts.push({ rank: partRank(name), piece: { bytes: storedPart(name, text) } });
  const pieces: Piece[] = parts
    .map((part, k) => ({ ...part, k }))
    .sort((a, b) => a.rank - b.rank || a.k - b.k)
    .map(({ piece }) => piece);
  pieces.push({ start: layout.directoryOffset, end: layout.size });
  return Readable.from(
    (async function* () {
      for (const piece of pieces) {
        if ('bytes' in piece) yield piece.bytes;
        else if (piece.end <= piece.start) continue;
        else if ('bytes' in source)
          yield Buffer.from(source.bytes.buffer, source.bytes.byteOffset + piece.start, piece.end - piece.start);
        else yield* createReadStream(source.path, { start: piece.start, end: piece.end - 1 });
      }
    })(),
  );
}

/**
 * Inflates (or copies) a stream, counting bytes, the CRC-32 and the longest run of bytes without a "<" (the
 * longest text of an XML part) without keeping the data; stops past `limit`.
 */
function inflateCounting(
  input: Readable,
  deflated: boolean,
  limit: number,
  over: () => Error,
): Promise<{ bytes: number; crc: number; longestText: number }> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    let crc = 0;
    let run = 0;
    let longestText = 0;
    let done = false;
    const stream = deflated ? input.pipe(createInflateRaw()) : input;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      input.destroy();
      stream.destroy();
      if (error) reject(error);
      else resolve({ bytes, crc, longestText });
    };
    input.on('error', finish);
    stream.on('error', finish);
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limit) return finish(over());
      crc = crc32(chunk, crc);
      let start = 0;
      for (;;) {
        const open = chunk.indexOf(0x3c, start);
        run += (open < 0 ? chunk.length : open) - start;
        longestText = Math.max(longestText, run);
        if (open < 0) break;
        run = 0;
        start = open + 1;
      }
    });
    stream.on('end', () => finish());
  });
}

/** The first line of a library's message (for "not readable: …" refusals). */
export function firstLine(message: string): string {
  return (message.split(/\r?\n/, 1)[0] ?? '').trim() || 'unknown reason';
}
