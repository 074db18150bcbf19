/**
 * Fuzzing every importer with malformed files (docs/data-protection/imports.md). Each case is a valid seed file
 * mutated (truncated, bit-flipped, random bytes, wrong types, huge numbers, NaN/Infinity text, negative amounts,
 * duplicate ids, empty, BOM, Latin-1 bytes, deep nesting, a long line). Every import must either succeed with a
 * network that passes the store's one validation path, or be refused with an AppError whose message is one line
 * of at most 300 characters — never another exception type, never a promise that does not settle — and a refusal
 * leaves the store's row counts as they were. Seeded: CWB_FUZZ_SEED (default below) and CWB_FUZZ_RUNS (cases
 * per importer); the seed is printed with the figures and on failure.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset, importDatasetTables } from '../../src-main/api/services';
import { caseStudy1 } from '../../src-main/engines/fire-sales';
import { documentOfSpec, toFireSaleSystem } from '../../src-main/engines/fire-sale-document';
import { toClearingSystem } from '../../src-main/engines/network-arrays';
import { networkToGraphml } from '../../src-main/io/graphml';
import { importHoldingsFile } from '../../src-main/io/holdings-tables';
import { checkStoredDocument, parseJsonDocument, serialiseJson } from '../../src-main/io/network-json';
import { parsePolicyJson, readPolicyExample } from '../../src-main/io/policy-json';
import { parseShockCsv } from '../../src-main/io/shock-csv';
import { decodeText } from '../../src-main/io/tables';
import { networkToCsv } from '../../src-main/io/tabular-network';
import { networkToXlsx } from '../../src-main/io/xlsx-network';
import type { Db } from '../../src-main/store/db';
import { networks } from '../../src-main/store/repositories';
import { AppError } from '../../src-shared/errors';
import { CROSSHOLDINGS_FORMAT } from '../../src-shared/formats/crossholdings';
import { fireSaleDocumentSchema } from '../../src-shared/formats/firesale';
import type { NetworkDocument } from '../../src-shared/formats/network';
import { freshApp } from '../support/app';
import { tempDir } from '../support/fixtures';
import { parquetFile } from '../support/parquet';
import { syntheticWiot } from '../support/wiot';

const SEED = Number(process.env.CWB_FUZZ_SEED ?? 20_260_601);
/** Cases per importer (15 importers: 2,100 inputs by default). */
const RUNS = Number(process.env.CWB_FUZZ_RUNS ?? 140);
/** A case that has not settled after this long counts as a hang. */
const HANG_MS = 15_000;

const encoder = new TextEncoder();
const bytesOf = (text: string) => encoder.encode(text);

const network: NetworkDocument = {
  format: 'contagion-workbench/network@1',
  name: 'Fuzz seed',
  currency: 'EUR',
  unit: 'million',
  nodes: [
    { id: 'A', name: 'Alpha', outsideAssets: 10, outsideLiabilities: 4, equity: 3, defaultProbability: 0.01 },
    { id: 'B', name: 'Bêta', outsideAssets: 8, outsideLiabilities: 6, equity: -1 },
    { id: 'C', outsideAssets: 5, outsideLiabilities: 2 },
  ],
  liabilities: [
    { debtor: 'A', creditor: 'B', amount: 3 },
    { debtor: 'B', creditor: 'C', amount: 2.5 },
    { debtor: 'C', creditor: 'A', amount: 1 },
  ],
};

const economy = {
  format: CROSSHOLDINGS_FORMAT,
  name: 'Fuzz economy',
  firms: [
    { id: 'F1', threshold: 1, failureCost: 0.5 },
    { id: 'F2', threshold: 2, failureCost: 0.5 },
  ],
  assets: [{ id: 'K', price: 10 }],
  assetHoldings: [
    { firm: 'F1', asset: 'K', share: 0.5 },
    { firm: 'F2', asset: 'K', share: 0.5 },
  ],
  crossHoldings: [{ holder: 'F1', issuer: 'F2', share: 0.2 }],
};

const EBA_HEADER =
  '"WORKSHEET","INFORMATION_CODE","INFO_DATE_CODE","C_COUNTRY_CODE","SCENARIO_CODE","MATURITY_CODE","MEASURE_CODE","AT001","DE002","FR003"';
const eba = [
  EBA_HEADER,
  '"1 - Aggregate information","30029","20101231","","","","","200000","150000","90000"',
  '"1 - Aggregate information","30021","20101231","","","","","10000","8000","4500"',
  '"4 - EADs","33010","20101231","TO","","","","25000","12000","9000"',
].join('\r\n');

const matrix = 'debtor,A,B,C\nA,,3,\nB,,,2.5\nC,1,,\n';
const holdingsCsv =
  'investor,asset,date,amount,investorType\nF1,ISIN1,2024-03-31,100,fund\nF1,ISIN2,2024-03-31,50.5,fund\nF2,ISIN1,2024-06-30,7,bank\n';
const thirteenF = `<?xml version="1.0" encoding="UTF-8"?>
<informationTable xmlns="http://www.sec.gov/edgar/document/thirteenf/informationtable">
  <infoTable><nameOfIssuer>APPLE INC</nameOfIssuer><titleOfClass>COM</titleOfClass><cusip>037833100</cusip><value>1,000</value><shrsOrPrnAmt><sshPrnamt>10</sshPrnamt><sshPrnamtType>SH</sshPrnamtType></shrsOrPrnAmt></infoTable>
  <infoTable><nameOfIssuer>MICROSOFT</nameOfIssuer><titleOfClass>COM</titleOfClass><cusip>594918104</cusip><value>2500</value><shrsOrPrnAmt><sshPrnamt>5</sshPrnamt><sshPrnamtType>SH</sshPrnamtType></shrsOrPrnAmt></infoTable>
</informationTable>
`;
const shocks = 'scenario,A,B,C\ns1,1,2,0\ns2,0.5,0,5\n';

/** Returns (or resolves) when the input is accepted, throws (or rejects) when it is refused. */
type Runner = (bytes: Uint8Array, k: number) => unknown;
interface Target {
  name: string;
  seeds: Uint8Array[];
  run: Runner;
  /** JSON documents: also mutated structurally. */
  json?: boolean;
  /** Imports that store something: after an accepted import, the newest version must pass the store's check. */
  stores?: boolean;
}

// ---- mutations ----

const BAD_NUMBERS = [
  'NaN',
  'Infinity',
  '-Infinity',
  '∞',
  '-1',
  '-0.5',
  '1e308',
  '1e400',
  '-1e308',
  '0x64',
  '0o17',
  '0b11',
  '1,000',
  '',
  ' ',
  '1e15',
  '1.0000001e15',
  '99999999999999999999999',
];
const BAD_VALUES: unknown[] = [
  null,
  'NaN',
  -1,
  1e308,
  -1e308,
  1e16,
  '0x64',
  '',
  [],
  {},
  true,
  'x'.repeat(300),
  '\u0000\n"',
  0,
];

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

type Mutation = (seed: Uint8Array) => Uint8Array;

function replaceToken(seed: Uint8Array, pattern: RegExp, pick: number, replacement: string): Uint8Array {
  const text = new TextDecoder().decode(seed);
  const matches = [...text.matchAll(pattern)];
  if (matches.length === 0) return bytesOf(`${text}${replacement}`);
  const match = matches[pick % matches.length]!;
  return bytesOf(text.slice(0, match.index) + replacement + text.slice(match.index + match[0].length));
}

/** Mutations of the bytes of any file. */
const byteMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.double({ min: 0, max: 1, noNaN: true }).map(
    (f): Mutation =>
      (seed) =>
        seed.slice(0, Math.floor(seed.length * f)),
  ),
  fc
    .array(fc.tuple(fc.double({ min: 0, max: 0.999999, noNaN: true }), fc.integer({ min: 0, max: 7 })), {
      minLength: 1,
      maxLength: 8,
    })
    .map(
      (flips): Mutation =>
        (seed) => {
          const out = seed.slice();
          for (const [f, bit] of flips) if (out.length > 0) out[Math.floor(f * out.length)]! ^= 1 << bit;
          return out;
        },
    ),
  fc.uint8Array({ maxLength: 400 }).map(
    (random): Mutation =>
      () =>
        random,
  ),
  fc.constant<Mutation>(() => new Uint8Array(0)),
  fc.constant<Mutation>((seed) => concat(new Uint8Array([0xef, 0xbb, 0xbf]), seed)),
  fc.double({ min: 0, max: 1, noNaN: true }).map(
    (f): Mutation =>
      (seed) => {
        const at = Math.floor(seed.length * f);
        return concat(seed.slice(0, at), new Uint8Array([0xe9, 0x20, 0xe9]), seed.slice(at));
      },
  ),
  fc.tuple(fc.nat(), fc.constantFrom(...BAD_NUMBERS)).map(
    ([pick, value]): Mutation =>
      (seed) =>
        replaceToken(seed, /-?\d+(\.\d+)?/g, pick, value),
  ),
  fc.tuple(fc.nat(), fc.constantFrom('A', 'B', 'AT001', 'F1', 'ISIN1', '', ' ', '"')).map(
    ([pick, id]): Mutation =>
      (seed) =>
        replaceToken(seed, /\b(A|B|C|AT001|DE002|FR003|F1|F2|ISIN2|037833100)\b/g, pick, id),
  ),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 100, max: 3000 })).map(
    ([f, n]): Mutation =>
      (seed) => {
        const at = Math.floor(seed.length * f);
        return concat(seed.slice(0, at), bytesOf('['.repeat(n) + '<a>'.repeat(n)), seed.slice(at));
      },
  ),
  fc.double({ min: 0, max: 1, noNaN: true }).map(
    (f): Mutation =>
      (seed) => {
        const at = Math.floor(seed.length * f);
        return concat(seed.slice(0, at), bytesOf('x'.repeat(70_000)), seed.slice(at));
      },
  ),
);

const safely =
  (mutate: Mutation): Mutation =>
  (seed) => {
    try {
      return mutate(seed);
    } catch {
      return seed;
    }
  };

/** Structural mutations of a JSON document: a value replaced, an entry duplicated or removed, deep nesting. */
function jsonMutation(): fc.Arbitrary<Mutation> {
  return fc
    .tuple(fc.nat(), fc.constantFrom(...BAD_VALUES.keys()), fc.constantFrom('replace', 'duplicate', 'remove', 'nest'))
    .map(
      ([pick, valueIndex, kind]): Mutation =>
        // A document nested too deeply by an earlier mutation to walk or write again stays as it is.
        safely((seed) => {
          let root: unknown;
          try {
            root = JSON.parse(new TextDecoder().decode(seed));
          } catch {
            return seed; // already broken by an earlier mutation
          }
          if (!root || typeof root !== 'object') return seed;
          const slots: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = [];
          const walk = (value: unknown, depth: number) => {
            if (depth > 20) return;
            if (Array.isArray(value)) {
              value.forEach((item, i) => {
                slots.push({ parent: value, key: i });
                walk(item, depth + 1);
              });
            } else if (value && typeof value === 'object') {
              for (const key of Object.keys(value)) {
                slots.push({ parent: value as Record<string, unknown>, key });
                walk((value as Record<string, unknown>)[key], depth + 1);
              }
            }
          };
          walk(root, 0);
          if (slots.length === 0) return seed;
          const slot = slots[pick % slots.length]!;
          const parent = slot.parent as Record<string | number, unknown>;
          if (kind === 'replace') parent[slot.key] = BAD_VALUES[valueIndex];
          else if (kind === 'duplicate' && Array.isArray(slot.parent))
            slot.parent.push(structuredClone(slot.parent[slot.key as number]));
          else if (kind === 'remove') {
            if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
            else delete parent[slot.key];
          } else {
            parent[slot.key] = '\u0000nest';
            return bytesOf(JSON.stringify(root).replace('"\\u0000nest"', `${'['.repeat(5000)}1${']'.repeat(5000)}`));
          }
          return bytesOf(JSON.stringify(root));
        }),
    );
}

// ---- the store ----

const TABLES = ['datasets', 'networks', 'network_versions', 'investors', 'assets', 'positions'];
const counts = (db: Db) =>
  TABLES.map((table) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n).join(',');
const newestVersion = (db: Db) =>
  (db.prepare('SELECT MAX(id) AS id FROM network_versions').get() as { id: number | null }).id;

describe('fuzzing every importer', () => {
  let app: ReturnType<typeof freshApp>;
  let dir: ReturnType<typeof tempDir>;
  const targets: Target[] = [];

  beforeAll(async () => {
    app = freshApp();
    dir = tempDir('cwb-fuzz-');
    const db = app.db;
    const clearing = toClearingSystem(network);
    const tables = networkToCsv(network);
    const holdingsFile = (ext: string, k: number, bytes: Uint8Array) => {
      const path = join(dir.path, `h${k}${ext}`);
      writeFileSync(path, bytes);
      return path;
    };
    const holdings =
      (ext: string, filer?: { investor: string; date: string }): Runner =>
      (bytes, k) =>
        importHoldingsFile(db, {
          filePath: holdingsFile(ext, k, bytes),
          fileName: `holdings-${k}${ext}`,
          datasetName: `h${k}`,
          ...(filer ? { filer } : {}),
        });
    const holdingsXlsx = async () => {
      const ExcelJS = (await import('exceljs')).default;
      const workbook = new ExcelJS.Workbook();
      const sheet = workbook.addWorksheet('positions');
      for (const line of holdingsCsv.trim().split('\n'))
        sheet.addRow(line.split(',').map((cell) => (/^\d+(\.\d+)?$/.test(cell) ? Number(cell) : cell)));
      return new Uint8Array(await workbook.xlsx.writeBuffer());
    };
    const fireSale = serialiseFireSale();
    targets.push(
      {
        name: 'network@1 JSON',
        seeds: [bytesOf(serialiseJson(network))],
        json: true,
        stores: true,
        run: (b, k) => importDataset(db, `n${k}.json`, b),
      },
      {
        name: 'crossholdings@1 JSON',
        seeds: [bytesOf(JSON.stringify(economy))],
        json: true,
        stores: true,
        run: (b, k) => importDataset(db, `e${k}.json`, b),
      },
      {
        name: 'EBA disclosure CSV',
        seeds: [bytesOf(eba)],
        stores: true,
        run: (b, k) => importDataset(db, `eba${k}.csv`, b),
      },
      {
        name: 'GraphML',
        seeds: [bytesOf(networkToGraphml(network))],
        stores: true,
        run: (b, k) => importDataset(db, `g${k}.graphml`, b),
      },
      {
        name: 'XLSX network',
        seeds: [await networkToXlsx(network)],
        stores: true,
        run: (b, k) => importDataset(db, `x${k}.xlsx`, b),
      },
      {
        name: 'CSV edge list',
        seeds: [bytesOf(tables.liabilities)],
        stores: true,
        run: (b, k) => importDataset(db, `l${k}.csv`, b),
      },
      {
        name: 'CSV nodes + edges',
        seeds: [bytesOf(tables.nodes)],
        stores: true,
        run: (b, k) =>
          importDatasetTables(db, [
            { fileName: `nodes${k}.csv`, bytes: b },
            { fileName: `edges${k}.csv`, bytes: bytesOf(tables.liabilities) },
          ]),
      },
      {
        name: 'CSV nodes + matrix',
        seeds: [bytesOf(matrix)],
        stores: true,
        run: (b, k) =>
          importDatasetTables(db, [
            { fileName: `nodes${k}.csv`, bytes: bytesOf(tables.nodes) },
            { fileName: `matrix${k}.csv`, bytes: b },
          ]),
      },
      { name: 'holdings CSV', seeds: [bytesOf(holdingsCsv)], run: holdings('.csv') },
      { name: 'holdings XLSX', seeds: [await holdingsXlsx()], run: holdings('.xlsx') },
      {
        name: 'holdings Parquet',
        seeds: [
          parquetFile([
            { name: 'investor', values: ['F1', 'F1', 'F2'] },
            { name: 'asset', values: ['ISIN1', 'ISIN2', 'ISIN1'] },
            { name: 'date', values: ['2024-03-31', '2024-03-31', '2024-06-30'] },
            { name: 'amount', values: [100, 50.5, 7] },
          ]),
        ],
        run: holdings('.parquet'),
      },
      {
        name: 'SEC 13F XML',
        seeds: [bytesOf(thirteenF)],
        run: holdings('.xml', { investor: '0000320193', date: '2024-03-31' }),
      },
      {
        name: 'WIOD XLSX',
        seeds: [await syntheticWiot()],
        stores: true,
        run: (b, k) => importDataset(db, `WIOT${k}.xlsx`, b),
      },
      {
        name: 'firesale@1 JSON',
        seeds: [fireSale],
        json: true,
        run: (b, k) => toFireSaleSystem(parseJsonDocument(fireSaleDocumentSchema, b, `f${k}.json`)),
      },
      {
        name: 'policy@1 JSON',
        seeds: [bytesOf(readPolicyExample().text)],
        json: true,
        run: (b, k) => parsePolicyJson(b, `p${k}.json`),
      },
      {
        name: 'shocks CSV',
        seeds: [bytesOf(shocks)],
        run: (b, k) => parseShockCsv(decodeText(b), clearing, `s${k}.csv`),
      },
    );
  }, 120_000);

  afterAll(async () => {
    await app?.dispose();
    dir?.remove();
  });

  it(`gives every malformed file one line or a valid network, and leaves the store as it was on a refusal (seed ${SEED})`, async () => {
    const figures = { tried: 0, accepted: 0, refused: 0, crashes: 0, hangs: 0, partialWrites: 0, longOrMultiline: 0 };
    const failures: string[] = [];
    let k = 0;
    const started = Date.now();
    for (const [t, target] of targets.entries()) {
      const mutation = target.json
        ? fc.oneof({ weight: 2, arbitrary: byteMutation }, { weight: 1, arbitrary: jsonMutation() })
        : byteMutation;
      const cases = fc.sample(
        fc.tuple(fc.nat(target.seeds.length - 1), fc.array(mutation, { minLength: 1, maxLength: 2 })),
        { seed: SEED + t, numRuns: RUNS },
      );
      for (const [seedIndex, mutations] of cases) {
        k += 1;
        let bytes = target.seeds[seedIndex]!;
        for (const mutate of mutations) bytes = mutate(bytes);
        const before = counts(app.db);
        const versionBefore = newestVersion(app.db);
        figures.tried += 1;
        let timer: NodeJS.Timeout | undefined;
        const outcome = await Promise.race([
          new Promise((resolve) => resolve(target.run(bytes, k))).then(
            () => ({ kind: 'accepted' as const }),
            (error: unknown) => ({ kind: 'refused' as const, error }),
          ),
          new Promise<{ kind: 'hang' }>((resolve) => (timer = setTimeout(() => resolve({ kind: 'hang' }), HANG_MS))),
        ]);
        clearTimeout(timer);
        const label = `${target.name} case ${k} (seed ${SEED})`;
        if (outcome.kind === 'hang') {
          figures.hangs += 1;
          failures.push(`${label}: did not settle in ${HANG_MS} ms`);
          continue;
        }
        if (outcome.kind === 'accepted') {
          figures.accepted += 1;
          const version = newestVersion(app.db);
          if (target.stores && version !== null && version !== versionBefore) {
            const stored = networks.getStoredVersion(app.db, version);
            try {
              checkStoredDocument(stored.document);
            } catch (error) {
              failures.push(`${label}: stored an invalid network: ${(error as Error).message}`);
            }
          }
          continue;
        }
        const { error } = outcome;
        if (!(error instanceof AppError)) {
          figures.crashes += 1;
          failures.push(
            `${label}: ${(error as Error)?.constructor?.name}: ${String((error as Error)?.message ?? error).slice(0, 200)}`,
          );
          continue;
        }
        figures.refused += 1;
        if (/[\n\r]/.test(error.message) || error.message.length > 300 || error.message.length === 0) {
          figures.longOrMultiline += 1;
          failures.push(
            `${label}: refusal not one line of ≤ 300 characters: ${JSON.stringify(error.message.slice(0, 400))}`,
          );
        }
        if (counts(app.db) !== before) {
          figures.partialWrites += 1;
          failures.push(`${label}: refused but the store changed (${before} → ${counts(app.db)})`);
        }
      }
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `fuzz (seed ${SEED}, ${targets.length} importers, ${seconds} s): ${figures.tried} inputs tried, ${figures.accepted} accepted, ` +
        `${figures.refused} refused in one line, ${figures.crashes} crashes, ${figures.hangs} hangs, ${figures.partialWrites} partial writes, ` +
        `${figures.longOrMultiline} refusals over one line`,
    );
    expect(failures.slice(0, 20)).toEqual([]);
    expect(figures.tried).toBeGreaterThanOrEqual(Math.min(2000, RUNS * targets.length));
    // The mutations really are malformed: most are refused.
    expect(figures.refused).toBeGreaterThan(figures.tried / 2);
  }, 600_000);
});

function serialiseFireSale(): Uint8Array {
  const document = fireSaleDocumentSchema.parse(documentOfSpec(caseStudy1('linear'), 'Case 1'));
  return bytesOf(JSON.stringify(document));
}
