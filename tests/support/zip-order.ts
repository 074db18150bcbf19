/**
 * Zip archives rearranged without inflating anything (entries copied as stored, the central directory rebuilt from
 * the records kept, their offsets rewritten): for workbooks that store `xl/workbook.xml` after their worksheets, or
 * that lack a part, as some writers do.
 */
interface StoredEntry {
  name: string;
  /** The entry's local header, data and data descriptor. */
  stored: Buffer;
  /** Its central directory record. */
  record: Buffer;
}

/** The archive's entries in the order they are stored, and its end of central directory record. */
function storedEntries(zip: Uint8Array): { entries: StoredEntry[]; tail: Buffer } {
  const bytes = Buffer.from(zip);
  const eocd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = bytes.readUInt16LE(eocd + 10);
  const directoryOffset = bytes.readUInt32LE(eocd + 16);
  const records: Array<{ name: string; local: number; record: Buffer }> = [];
  for (let at = directoryOffset, k = 0; k < count; k++) {
    const nameLength = bytes.readUInt16LE(at + 28);
    const end = at + 46 + nameLength + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
    const name = bytes.toString('utf8', at + 46, at + 46 + nameLength);
    records.push({ name, local: bytes.readUInt32LE(at + 42), record: Buffer.from(bytes.subarray(at, end)) });
    at = end;
  }
  // in the order they are stored
  const byOffset = records.sort((a, b) => a.local - b.local);
  const entries = byOffset.map(({ name, local, record }, k) => ({
    name,
    record,
    stored: bytes.subarray(local, byOffset[k + 1]?.local ?? directoryOffset),
  }));
  return { entries, tail: Buffer.from(bytes.subarray(eocd)) };
}

/** An archive of `entries` in this order, their directory records pointing at where each now lies. */
function archive(entries: StoredEntry[], tail: Buffer): Uint8Array {
  const records: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const record = Buffer.from(entry.record);
    record.writeUInt32LE(offset, 42);
    records.push(record);
    offset += entry.stored.length;
  }
  const directory = Buffer.concat(records);
  const end = Buffer.from(tail);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...entries.map((entry) => entry.stored), directory, end]));
}

/** The archive with the entries that `last` picks stored after all the others. */
export function withEntriesLast(zip: Uint8Array, last: (name: string) => boolean): Uint8Array {
  const { entries, tail } = storedEntries(zip);
  return archive([...entries.filter((e) => !last(e.name)), ...entries.filter((e) => last(e.name))], tail);
}

/** The archive without the entries that `drop` picks. */
export function withoutEntries(zip: Uint8Array, drop: (name: string) => boolean): Uint8Array {
  const { entries, tail } = storedEntries(zip);
  return archive(
    entries.filter((e) => !drop(e.name)),
    tail,
  );
}
