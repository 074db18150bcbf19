/** The EBA 2011 87-bank network as the app seeds it: the EBA importer on the shared data, maximum-entropy liabilities. */
import { readFileSync } from 'node:fs';
import type { NetworkDocument } from '../../src-shared/formats/network';
import { maxentFromDocument, withLiabilities } from '../../src-main/engines/maxent';
import { decodeLatin1, parseEbaDisclosure } from '../../src-main/io/eba-disclosure';
import { bundledSample } from './fixtures';

export function ebaMaxentNetwork(): NetworkDocument {
  const { document } = parseEbaDisclosure(
    decodeLatin1(readFileSync(bundledSample('eba-2011-disclosure.csv'))),
    'eba-2011-disclosure.csv',
  );
  return withLiabilities(document, maxentFromDocument(document).matrix);
}
