/** Chooses the importer for a file by its content and name; every importer returns a whole dataset or throws. */
import { createHash } from 'node:crypto';
import type { DatasetKind, ImportReport } from '../../src-shared/domain';
import type { NetworkDocument } from '../../src-shared/formats/network';
import { decodeLatin1, looksLikeEbaDisclosure, parseEbaDisclosure } from './eba-disclosure';
import { ImportError } from './import-error';
import { parseNetworkJson } from './network-json';

export interface ImportedDataset {
  name: string;
  kind: DatasetKind;
  sha256: string;
  report: ImportReport;
  network: { name: string; document: NetworkDocument; note: string };
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function importFile(fileName: string, bytes: Uint8Array): ImportedDataset {
  const sha256 = sha256Hex(bytes);
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.json')) {
    const document = parseNetworkJson(new TextDecoder('utf-8').decode(bytes), fileName);
    return {
      name: document.name,
      kind: 'network',
      sha256,
      report: { importer: 'network@1 JSON', kept: document.nodes.length, skipped: [], notes: [] },
      network: { name: document.name, document, note: `imported from ${fileName}` },
    };
  }
  if (lower.endsWith('.csv')) {
    const text = decodeLatin1(bytes);
    if (looksLikeEbaDisclosure(text)) {
      const { document, report } = parseEbaDisclosure(text, fileName);
      return {
        name: document.name,
        kind: 'banks',
        sha256,
        report,
        network: { name: document.name, document, note: `balance sheets from ${fileName} (no bilateral exposures)` },
      };
    }
    throw new ImportError(
      `${fileName}: unrecognised CSV layout (this version reads the EBA disclosure layout; see spec/formats.md)`,
    );
  }
  throw new ImportError(`${fileName}: unsupported file type (expected .json network@1 or an EBA disclosure .csv)`);
}
