/** Shared test helpers: a fresh data folder per test, the bundled sample files, a tiny valid network. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FileRef } from '../../src-shared/bridge';
import { NETWORK_FORMAT, type NetworkDocument } from '../../src-shared/formats/network';
import type { FileHandles } from '../../src-main/api/file-handles';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const bundledSample = (file: string) => resolve(repoRoot, 'resources/samples', file);

export function tempDir(prefix = 'cwb-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A temp dir and `file(content)`, which writes the content to a new file in it and gives its path. */
export function tempFiles(prefix = 'cwb-test-'): {
  path: string;
  remove: () => void;
  file: (content: string | Uint8Array) => string;
} {
  const dir = tempDir(prefix);
  let count = 0;
  return {
    ...dir,
    file: (content) => {
      const path = join(dir.path, `f${count++}.json`);
      writeFileSync(path, content);
      return path;
    },
  };
}

export const readBytes = (path: string) => readFileSync(path);

/** Three banks in a ring: A owes B 10, B owes C 10, C owes A 10. */
export function ringNetwork(name = 'Ring of three'): NetworkDocument {
  const node = (id: string) => ({ id, name: `Bank ${id}`, outsideAssets: 20, outsideLiabilities: 15, equity: 5 });
  return {
    format: NETWORK_FORMAT,
    name,
    currency: 'EUR',
    unit: 'million',
    nodes: [node('A'), node('B'), node('C')],
    liabilities: [
      { debtor: 'A', creditor: 'B', amount: 10 },
      { debtor: 'B', creditor: 'C', amount: 10 },
      { debtor: 'C', creditor: 'A', amount: 10 },
    ],
  };
}

/** A file as a face hands it to the router: registered by handle, as the browser mode's one upload registers it. */
export const picked = (app: { files: FileHandles }, fileName: string, content: string | Uint8Array): FileRef =>
  app.files.fromBytes(fileName, Buffer.from(content));
