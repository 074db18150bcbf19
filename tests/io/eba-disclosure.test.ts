import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeLatin1, parseEbaDisclosure } from '../../src-main/io/eba-disclosure';
import { importFile } from '../../src-main/io/importers';
import { explainEbaCodes } from '../../src-shared/format/labels';
import { bundledSample } from '../support/fixtures';

const text = decodeLatin1(readFileSync(bundledSample('eba-2011-disclosure.csv')));

describe('EBA 2011 disclosure importer', () => {
  const { document, report } = parseEbaDisclosure(text, 'eba-2011-disclosure.csv');
  const byId = new Map(document.nodes.map((node) => [node.id, node]));

  it('keeps 87 of the 90 banks and says why each of the other three was left out', () => {
    expect(document.nodes).toHaveLength(87);
    expect(report.kept).toBe(87);
    expect(report.skipped.map((s) => s.id).sort()).toEqual(['DE029', 'LU045', 'SI058']);
    expect(report.skipped.find((s) => s.id === 'LU045')!.reason).toBe(
      'total assets (30029) are 0 EUR million (must be positive)',
    );
    expect(report.skipped.find((s) => s.id === 'SI058')!.reason).toBe(
      'total assets (30029) are 0 EUR million (must be positive)',
    );
    expect(report.skipped.find((s) => s.id === 'DE029')!.reason).toBe(
      'negative external assets: interbank exposure (33010) 33,760 EUR million exceeds total assets (30029) 17,691 EUR million',
    );
  });

  it('writes the figures of a reason with separators and the unit, so that the Data screen explains only the item codes', () => {
    // A bank whose total assets are 30029 (the code of total assets) and equity 30021 (the code of equity).
    const { report: oddReport } = parseEbaDisclosure(
      'WORKSHEET,INFORMATION_CODE,INFO_DATE_CODE,C_COUNTRY_CODE,SCENARIO_CODE,MATURITY_CODE,MEASURE_CODE,XX001,XX002\n' +
        'x,30029,20101231,,,,,30029,1000\nx,30021,20101231,,,,,30021,50\nx,33010,20101231,TO,,,,40000.5,10\n',
      'odd.csv',
    );
    const reason = oddReport.skipped.find((s) => s.id === 'XX001')!.reason;
    expect(reason).toBe(
      'negative external assets: interbank exposure (33010) 40,001 EUR million exceeds total assets (30029) 30,029 EUR million',
    );
    expect(explainEbaCodes(reason)).toBe(
      'negative external assets: interbank exposure (EBA item 33010) 40,001 EUR million exceeds total assets (EBA item 30029) 30,029 EUR million',
    );
  });

  it('reads AT001 as in the Glasserman–Young table: assets 205,938, equity 10,507, interbank 25,044', () => {
    const at001 = byId.get('AT001')!;
    expect(at001.totalAssets).toBe(205938);
    expect(at001.equity).toBe(10507);
    expect(at001.insideAssets).toBe(25044);
    expect(at001.outsideAssets).toBe(205938 - 25044);
    expect(at001.outsideLiabilities).toBe(205938 - 10507 - 25044);
    expect(at001.group).toBe('AT');
  });

  it('derives balance sheets that add up for every bank', () => {
    for (const node of document.nodes) {
      expect(node.outsideAssets! + node.insideAssets!).toBeCloseTo(node.totalAssets!, 6);
      expect(node.outsideLiabilities! + node.insideLiabilities! + node.equity!).toBeCloseTo(node.totalAssets!, 6);
      expect(node.outsideAssets!).toBeGreaterThanOrEqual(0);
      expect(node.outsideLiabilities!).toBeGreaterThanOrEqual(0);
    }
  });

  it('refuses a file whose layout is not the disclosure layout, naming the column', () => {
    expect(() => parseEbaDisclosure('"WORKSHEET","CODE"\n', 'x.csv')).toThrow(
      'x.csv: row 1, column 2: must be INFORMATION_CODE — "CODE"',
    );
  });

  it('refuses a file without the interbank rows', () => {
    const without = text
      .split('\n')
      .filter((line) => !line.includes(',33010,'))
      .join('\n');
    expect(() => parseEbaDisclosure(without, 'cut.csv')).toThrow(/33010/);
  });

  it('bundles the EBA file whose SHA-256 the samples README records', () => {
    const bundled = importFile('eba-2011-disclosure.csv', readFileSync(bundledSample('eba-2011-disclosure.csv')));
    expect(readFileSync(bundledSample('README.md'), 'utf8')).toContain(bundled.sha256);
    expect(bundled.kind).toBe('banks');
  });
});
