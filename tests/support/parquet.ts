/**
 * A minimal Parquet writer for tests (no Parquet writer is installed): one row group, required columns, PLAIN
 * encoding, uncompressed v1 data pages; strings as UTF-8 BYTE_ARRAY, numbers as DOUBLE. Metadata in the Thrift
 * compact protocol (parquet-format's FileMetaData, PageHeader).
 */
type Value = string | number;

class Compact {
  readonly bytes: number[] = [];
  private last: number[] = [0];

  private varint(value: bigint): void {
    let v = value;
    while (v >= 0x80n) {
      this.bytes.push(Number((v & 0x7fn) | 0x80n));
      v >>= 7n;
    }
    this.bytes.push(Number(v));
  }

  private zigzag(value: number | bigint): void {
    const v = BigInt(value);
    this.varint(v >= 0n ? v << 1n : (-v << 1n) - 1n);
  }

  private header(id: number, type: number): void {
    const delta = id - this.last[this.last.length - 1]!;
    if (delta > 0 && delta <= 15) this.bytes.push((delta << 4) | type);
    else {
      this.bytes.push(type);
      this.zigzag(id);
    }
    this.last[this.last.length - 1] = id;
  }

  i32(id: number, value: number): this {
    this.header(id, 5);
    this.zigzag(value);
    return this;
  }

  i64(id: number, value: number): this {
    this.header(id, 6);
    this.zigzag(value);
    return this;
  }

  string(id: number, text: string): this {
    this.header(id, 8);
    const data = Buffer.from(text, 'utf8');
    this.varint(BigInt(data.length));
    this.bytes.push(...data);
    return this;
  }

  struct(id: number, body: (w: Compact) => void): this {
    this.header(id, 12);
    this.last.push(0);
    body(this);
    this.bytes.push(0);
    this.last.pop();
    return this;
  }

  list(id: number, elementType: 5 | 8 | 12, items: Array<number | string | ((w: Compact) => void)>): this {
    this.header(id, 9);
    if (items.length < 15) this.bytes.push((items.length << 4) | elementType);
    else {
      this.bytes.push(0xf0 | elementType);
      this.varint(BigInt(items.length));
    }
    for (const item of items) {
      if (elementType === 5) this.zigzag(item as number);
      else if (elementType === 8) {
        const data = Buffer.from(item as string, 'utf8');
        this.varint(BigInt(data.length));
        this.bytes.push(...data);
      } else {
        this.last.push(0);
        (item as (w: Compact) => void)(this);
        this.bytes.push(0);
        this.last.pop();
      }
    }
    return this;
  }

  end(): Buffer {
    this.bytes.push(0);
    return Buffer.from(this.bytes);
  }
}

/** A Parquet file with the given columns (all rows as long as the first column). */
export function parquetFile(columns: Array<{ name: string; values: Value[] }>): Buffer {
  const rows = columns[0]!.values.length;
  const parts: Buffer[] = [Buffer.from('PAR1')];
  let offset = 4;
  const chunks: Array<{ name: string; type: number; offset: number; size: number }> = [];
  for (const column of columns) {
    const isString = typeof column.values[0] === 'string';
    const data = Buffer.concat(
      column.values.map((value) => {
        if (isString) {
          const text = Buffer.from(String(value), 'utf8');
          const length = Buffer.alloc(4);
          length.writeUInt32LE(text.length);
          return Buffer.concat([length, text]);
        }
        const number = Buffer.alloc(8);
        number.writeDoubleLE(Number(value));
        return number;
      }),
    );
    const header = new Compact()
      .i32(1, 0)
      .i32(2, data.length)
      .i32(3, data.length)
      .struct(5, (w) => w.i32(1, rows).i32(2, 0).i32(3, 3).i32(4, 3))
      .end();
    chunks.push({ name: column.name, type: isString ? 6 : 5, offset, size: header.length + data.length });
    parts.push(header, data);
    offset += header.length + data.length;
  }
  const metadata = new Compact()
    .i32(1, 1)
    .list(2, 12, [
      (w: Compact) => w.string(4, 'schema').i32(5, columns.length),
      ...chunks.map((chunk) => (w: Compact) => {
        w.i32(1, chunk.type).i32(3, 0).string(4, chunk.name);
        if (chunk.type === 6) w.i32(6, 0);
      }),
    ])
    .i64(3, rows)
    .list(4, 12, [
      (w: Compact) =>
        w
          .list(
            1,
            12,
            chunks.map(
              (chunk) => (c: Compact) =>
                c
                  .i64(2, chunk.offset)
                  .struct(3, (m) =>
                    m
                      .i32(1, chunk.type)
                      .list(2, 5, [0])
                      .list(3, 8, [chunk.name])
                      .i32(4, 0)
                      .i64(5, rows)
                      .i64(6, chunk.size)
                      .i64(7, chunk.size)
                      .i64(9, chunk.offset),
                  ),
            ),
          )
          .i64(2, offset - 4)
          .i64(3, rows),
    ])
    .end();
  const length = Buffer.alloc(4);
  length.writeUInt32LE(metadata.length);
  parts.push(metadata, length, Buffer.from('PAR1'));
  return Buffer.concat(parts);
}
