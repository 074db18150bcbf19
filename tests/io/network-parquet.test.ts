import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { randomSparseNetwork } from '../../src-main/engines/synthetic';
import { networkToParquet, readNetworkParquet } from '../../src-main/io/network-parquet';
import type { NetworkDocument } from '../../src-shared/formats/network';
import { tempDir } from '../support/fixtures';

const dir = tempDir('cwb-parquet-');
afterAll(() => dir.remove());
const names = { nodes: 'n.nodes.parquet', liabilities: 'n.liabilities.parquet', name: 'fallback' };

function write(document: NetworkDocument): { nodes: string; liabilities: string } {
  const files = networkToParquet(document);
  const nodes = join(dir.path, `${Math.random()}.nodes.parquet`);
  const liabilities = join(dir.path, `${Math.random()}.liabilities.parquet`);
  writeFileSync(nodes, files.nodes);
  writeFileSync(liabilities, files.liabilities);
  return { nodes, liabilities };
}

describe('network@1 as Parquet', () => {
  it('export then import gives the network back exactly (fields, absent fields, amounts to the last bit, name, unit)', async () => {
    const document = { ...randomSparseNetwork(400, 12, 5), currency: 'EUR', unit: 'million' };
    document.nodes[3] = { ...document.nodes[3]!, name: 'Bank “três”', group: 'G-SIB', defaultProbability: undefined };
    delete document.nodes[3].defaultProbability;
    const files = write(document);
    const back = await readNetworkParquet(files.nodes, files.liabilities, names);
    expect(back).toEqual(document);
    expect(back.liabilities).toHaveLength(400 * 12);
  });

  it('refuses what the CSV importer refuses, in its words, and a file that is not Parquet in one line', async () => {
    const document = randomSparseNetwork(20, 3, 6);
    document.liabilities[4]!.amount = -2;
    document.liabilities[7]!.creditor = 'NOBODY';
    const files = write(document);
    const refusal = await readNetworkParquet(files.nodes, files.liabilities, names).then(
      () => 'accepted',
      (error: Error) => error.message,
    );
    expect(refusal).toMatch(/row 6.*(negative|≥ 0)/i);
    expect(refusal).toMatch(/NOBODY/);
    const notParquet = join(dir.path, 'x.parquet');
    writeFileSync(notParquet, 'debtor,creditor,amount\n');
    const second = await readNetworkParquet(files.nodes, notParquet, { ...names, liabilities: 'x.parquet' }).then(
      () => 'accepted',
      (error: Error) => error.message,
    );
    expect(second).toMatch(/^x\.parquet is not a Parquet file: /);
    expect(second).not.toContain('\n');
  });
});
