/**
 * A zip archive with its entries stored in another order (central directory offsets rewritten, nothing inflated):
 * for workbooks that store `xl/workbook.xml` after their worksheets, as some writers do.
 */
export function withEntriesLast(zip: Uint8Array, last: (name: string) => boolean): Uint8Array {
  const bytes = Buffer.from(zip);
  const eocd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = bytes.readUInt16LE(eocd + 10);
  const directoryOffset = bytes.readUInt32LE(eocd + 16);
  const entries: Array<{ name: string; local: number; field: number }> = [];
  for (let at = directoryOffset, k = 0; k < count; k++) {
    const nameLength = bytes.readUInt16LE(at + 28);
    const name = bytes.toString('utf8', at + 46, at + 46 + nameLength);
    entries.push({ name, local: bytes.readUInt32LE(at + 42), field: at + 42 });
    at += 46 + nameLength + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
  }
  const byOffset = [...entries].sort((a, b) => a.local - b.local);
  const spans = byOffset.map((entry, k) => ({ entry, end: byOffset[k + 1]?.local ?? directoryOffset }));
  const ordered = [...spans.filter((s) => !last(s.entry.name)), ...spans.filter((s) => last(s.entry.name))];
  const parts: Buffer[] = [];
  const directory = Buffer.from(bytes.subarray(directoryOffset));
  let offset = 0;
  for (const { entry, end } of ordered) {
    directory.writeUInt32LE(offset, entry.field - directoryOffset);
    parts.push(bytes.subarray(entry.local, end));
    offset += end - entry.local;
  }
  directory.writeUInt32LE(offset, eocd - directoryOffset + 16);
  return new Uint8Array(Buffer.concat([...parts, directory]));
}
