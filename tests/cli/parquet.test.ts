/** `cwb import` and `cwb export` with a Parquet pair (node table + liability table), beside the CSV pair. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src-main/cli/main';
import { randomSparseNetwork } from '../../src-main/engines/synthetic';
import { serialiseJson } from '../../src-main/io/network-json';
import type { NetworkDocument } from '../../src-shared/formats/network';
import { tempDir } from '../support/fixtures';

const dirs: Array<{ path: string; remove(): void }> = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

function setup() {
  const data = tempDir();
  const files = tempDir(); // exports never go into the data folder
  dirs.push(data, files);
  const cwb = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main([...args, '--data-dir', data.path], {
      out: (text) => out.push(text),
      err: (text) => err.push(text),
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  return { cwb, file: (name: string) => join(files.path, name) };
}

describe('cwb import / export with Parquet', () => {
  it('exports a version as a Parquet pair that imports back as the CSV pair does, and keeps name, currency and unit', async () => {
    const { cwb, file } = setup();
    const original: NetworkDocument = { ...randomSparseNetwork(60, 8, 3), currency: 'EUR', unit: 'million' };
    original.liabilities[0]!.amount = 1 / 3;
    writeFileSync(file('net.json'), serialiseJson(original));
    const imported = await cwb('import', file('net.json'), '--json');
    expect(imported.code, imported.err).toBe(0);
    const { versionId } = JSON.parse(imported.out) as { versionId: number };

    const csv = await cwb('export', String(versionId), '--out', file('x.csv'));
    expect(csv.code, csv.err).toBe(0);
    const parquet = await cwb('export', String(versionId), '--format', 'parquet', '--out', file('y'));
    expect(parquet.code, parquet.err).toBe(0);
    expect(parquet.err).toBe(
      `wrote network version ${versionId} to ${file('y-nodes.parquet')} and ${file('y-liabilities.parquet')}`,
    );
    // The format also follows from the extension of --out.
    const byName = await cwb('export', String(versionId), '--out', file('z.parquet'), '--json');
    expect(JSON.parse(byName.out)).toEqual({
      versionId,
      out: [file('z-nodes.parquet'), file('z-liabilities.parquet')],
    });
    expect(readFileSync(file('z-liabilities.parquet')).subarray(0, 4).toString()).toBe('PAR1');

    const fromParquet = await cwb('import', file('y-nodes.parquet'), file('y-liabilities.parquet'), '--json');
    expect(fromParquet.code, fromParquet.err).toBe(0);
    const fromCsv = await cwb('import', file('x-liabilities.csv'), file('x-nodes.csv'), '--json');
    expect(fromCsv.code, fromCsv.err).toBe(0);
    const documentOf = async (output: string, name: string) => {
      const { versionId: id } = JSON.parse(output) as { versionId: number };
      expect((await cwb('export', String(id), '--out', file(name))).code).toBe(0);
      const document = JSON.parse(readFileSync(file(name), 'utf8')) as NetworkDocument & { metadata?: unknown };
      delete document.metadata; // the classification marking of the export
      return document;
    };
    const viaParquet = await documentOf(fromParquet.out, 'via-parquet.json');
    const viaCsv = await documentOf(fromCsv.out, 'via-csv.json');
    expect(viaParquet.nodes).toEqual(viaCsv.nodes);
    expect(viaParquet.liabilities).toEqual(viaCsv.liabilities);
    expect(viaParquet).toEqual(original);
    const report = JSON.parse(fromParquet.out) as { dataset: { report: { importer: string } } };
    expect(report.dataset.report.importer).toBe('Parquet node table + edge list');
  });

  it('refuses a damaged Parquet file in one line naming it, and stores nothing', async () => {
    const { cwb, file } = setup();
    writeFileSync(file('net.json'), serialiseJson(randomSparseNetwork(30, 4, 8)));
    const { versionId } = JSON.parse((await cwb('import', file('net.json'), '--json')).out) as { versionId: number };
    expect((await cwb('export', String(versionId), '--out', file('n.parquet'))).code).toBe(0);
    const good = readFileSync(file('n-liabilities.parquet'));
    writeFileSync(file('cut-liabilities.parquet'), good.subarray(0, good.length - 30));
    const damaged = Buffer.from(good);
    damaged.fill(0xff, 30, 200);
    writeFileSync(file('bad-liabilities.parquet'), damaged);
    writeFileSync(file('text.parquet'), 'debtor,creditor,amount\nA,B,1\n');
    const before = (await cwb('list', '--json')).out;
    const cases: Array<[string, RegExp]> = [
      [
        'cut-liabilities.parquet',
        /^cwb: cut-liabilities\.parquet is not a Parquet file: it does not end with a Parquet footer/,
      ],
      ['bad-liabilities.parquet', /^cwb: bad-liabilities\.parquet is a damaged Parquet file: its data cannot be read/],
      ['text.parquet', /^cwb: text\.parquet is not a Parquet file/],
    ];
    for (const [name, expected] of cases) {
      const refused = await cwb('import', file('n-nodes.parquet'), file(name));
      expect(refused.code, name).not.toBe(0);
      expect(refused.out).toBe('');
      expect(refused.err).toMatch(expected);
      expect(refused.err.trim().split('\n'), refused.err).toHaveLength(1);
    }
    expect((await cwb('list', '--json')).out).toBe(before);
  });
});
