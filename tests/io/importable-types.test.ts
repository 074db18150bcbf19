/** The open dialogs offer what the importers read: each offered network type reaches its reader, nothing else does. */
import { describe, expect, it } from 'vitest';
import { importFileAsync } from '../../src-main/io/importers';
import { IMPORTABLE_FILE_TYPES, NETWORK_FILE_TYPES } from '../../src-shared/formats/importable';

const garbage = new TextEncoder().encode('not a network at all\n');

describe('importable file types', () => {
  it('sends every offered network type to a reader (refused for its content, not for its type)', async () => {
    for (const type of NETWORK_FILE_TYPES) {
      const error = await importFileAsync(`sample.${type}`, garbage).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message, type).not.toMatch(/unsupported file type/);
    }
    const other = await importFileAsync('sample.docx', garbage).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(other?.message).toMatch(/unsupported file type/);
  });

  it('offers XLSX, GraphML, Parquet and XML as well as JSON and CSV', () => {
    expect([...IMPORTABLE_FILE_TYPES].sort()).toEqual(['csv', 'graphml', 'json', 'parquet', 'xlsx', 'xml']);
  });
});
