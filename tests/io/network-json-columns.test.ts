import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { toClearingSystem, toClearingSystemFromColumns } from '../../src-main/engines/network-arrays';
import { randomSparseNetwork } from '../../src-main/engines/synthetic';
import { readJsonDocument } from '../../src-main/io/json-stream';
import { liabilityObjects, readNetworkJsonColumns, readNumber } from '../../src-main/io/network-json-columns';
import { parseNetworkJson, readNetworkJsonFile, serialiseJson } from '../../src-main/io/network-json';
import { tempFiles } from '../support/fixtures';

const dir = tempFiles('cwb-json-columns-');
afterAll(() => dir.remove());
const file = dir.file;

/** The outcome of a reader: the document, or its refusal. */
function outcome(read: () => unknown): unknown {
  try {
    return read();
  } catch (error) {
    return `refused: ${(error as Error).message}`;
  }
}
const columnar = (text: string, name = 'n.json') =>
  outcome(() => liabilityObjects(readNetworkJsonColumns(file(text), name)));
const whole = (text: string, name = 'n.json') => outcome(() => parseNetworkJson(text, name));
/** The stream reader into objects (a syntax error is placed by the stream parser, not by JSON.parse). */
const stream = (text: string, name = 'n.json') => outcome(() => readNetworkJsonFile(file(text), name));

/** Numbers written as JSON text, read back by readNumber. */
function readNumbers(texts: string[]): number[] {
  const path = file(`[${texts.join(',')}]`);
  return readJsonDocument(path, 'x.json', (r) => {
    const out: number[] = [];
    r.pos++;
    for (;;) {
      r.skipSpace();
      out.push(readNumber(r));
      if (r.skipSpace() === 0x5d) {
        r.pos++;
        return out;
      }
      r.pos++;
    }
  });
}

const small = (seed: number) => randomSparseNetwork(6, 3, seed);

describe('network@1 read as a stream into columns', () => {
  it('reads numbers to the same double as JSON.parse (any double as JSON.stringify prints it, any digits and exponent)', () => {
    const digits = (min: number, max: number) =>
      fc.array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max }).map((d) => d.join(''));
    const written = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => JSON.stringify(x)),
      fc
        .tuple(
          fc.boolean(),
          fc.oneof(
            fc.constant('0'),
            fc.tuple(fc.constantFrom(...'123456789'), digits(0, 25)).map(([a, b]) => a + b),
          ),
          fc.option(digits(1, 25)),
          fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits(1, 4))),
        )
        .map(
          ([negative, int, frac, exp]) =>
            `${negative ? '-' : ''}${int}${frac === null ? '' : `.${frac}`}${exp === null ? '' : exp.join('')}`,
        ),
    );
    fc.assert(
      fc.property(fc.array(written, { minLength: 1, maxLength: 60 }), (texts) => {
        const got = readNumbers(texts);
        texts.forEach((text, k) => expect(Object.is(got[k], JSON.parse(text))).toBe(true));
      }),
      { numRuns: 300 },
    );
    // Across chunk boundaries (1 MiB chunks): 120,000 numbers of 17 digits.
    const many = Array.from({ length: 120_000 }, (_, k) => JSON.stringify(Math.sin(k) * 10 ** ((k % 40) - 20)));
    const got = readNumbers(many);
    expect(got.every((x, k) => Object.is(x, JSON.parse(many[k]!)))).toBe(true);
    expect(readNumbers(['-0', '-0.0e5', '0', '5e-324', '1.7976931348623157e308', '1e400'])).toEqual([
      -0,
      -0,
      0,
      5e-324,
      1.7976931348623157e308,
      Infinity,
    ]);
  });

  it('equals the whole-file reader on generated networks (any indentation, ids with escapes, files of many chunks)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 30 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.constantFrom(undefined, 0, 2, '\t'),
        (n, links, seed, indent) => {
          const document = randomSparseNetwork(n, Math.min(links, n - 1), seed);
          const text = JSON.stringify(document, null, indent);
          expect(columnar(text)).toEqual(whole(text));
          const escaped = text.replace(/"(debtor|creditor)": ?"B/g, (m) => `${m.slice(0, -1)}\\u0042`);
          expect(columnar(escaped)).toEqual(whole(escaped));
          const unicode = text.replace(/"B0/g, '"Bä😀0');
          expect(columnar(unicode)).toEqual(whole(unicode));
        },
      ),
      { numRuns: 60 },
    );
    const large = serialiseJson(randomSparseNetwork(300, 150, 7));
    expect(large.length).toBeGreaterThan(3 * 2 ** 20);
    expect(columnar(`\uFEFF${large}`)).toEqual(whole(large));
  });

  it('refuses a broken entry in the same one line as the whole-file reader, with the count of further problems', () => {
    const broken = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom(-1, 1e16, 2e15, '5', '', 'x'.repeat(300), 'Z', 'B0001', 'B0002', null, 0, -0),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.constantFrom('debtor', 'creditor', 'amount', 'id', 'entry', 'delete', 'copy', 'name', 'node'),
            broken,
          ),
          { minLength: 1, maxLength: 4 },
        ),
        (seed, changes) => {
          const document = small(seed) as unknown as Record<string, unknown> & {
            liabilities: unknown[];
            nodes: Array<Record<string, unknown>>;
          };
          for (const [at, what, value] of changes) {
            const k = at % document.liabilities.length;
            const entry = document.liabilities[k] as Record<string, unknown>;
            if (what === 'entry') document.liabilities[k] = value;
            else if (what === 'delete' && entry && typeof entry === 'object') delete entry.creditor;
            else if (what === 'copy') document.liabilities.push(structuredClone(document.liabilities[k]));
            else if (what === 'name') document.name = value;
            else if (what === 'node') document.nodes[at % document.nodes.length]!.id = value;
            else if (entry && typeof entry === 'object') entry[what] = value;
          }
          const text = JSON.stringify(document, null, 1);
          const expected = whole(text, 'bad.json');
          expect(columnar(text, 'bad.json')).toEqual(expected);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('keeps every refusal in one line with the same wording (syntax: as the stream reader places it), and refuses truncated or garbage files', () => {
    const base = small(3);
    const text = serialiseJson(base);
    const pair = { ...base.liabilities[0]!, amount: 1 };
    const cases: string[] = [
      text.replace(/"amount": [0-9.e+-]+/, '"amount": -5'),
      text.replace(/"amount": [0-9.e+-]+/, '"amount": 1e400'),
      text.replace(/"amount": [0-9.e+-]+/, '"amount": 01'),
      text.replace(/"creditor": "[^"]+"/, '"creditor": "nobody"'),
      text.replace(/"creditor": "[^"]+"/, '"creditor": 7'),
      text.replace('"liabilities": [', '"liabilities": [{"debtor": "B0001", "creditor": "B0001", "amount": 1},'),
      text.replace('"liabilities": [', `"liabilities": [${JSON.stringify(pair)},`),
      text.replace('"liabilities": [', `"liabilities": [${JSON.stringify({ ...pair, id: 'L' })},`),
      text.replace('"name": "', '"name": "", "x": "'),
      text.replace(/"id": "B0002"/, '"id": "B0001"'),
      text.replace('"liabilities": [', '"liabilities": 5, "other": ['),
      text.replace(/"nodes": \[[^]*?\],\n {2}"liabilities"/, '"nodes": [],\n  "liabilities"'),
      text.slice(0, text.length / 2),
      text.slice(0, -3),
      `${text}x`,
      'garbage',
      '',
      '[1, 2]',
      text.replace('"amount": ', '"amount": \u0001'),
    ];
    for (const bad of cases) {
      const got = columnar(bad, 'bad.json');
      expect(got).toEqual(stream(bad, 'bad.json'));
      if (!String(got).includes('not valid JSON')) expect(got).toEqual(whole(bad, 'bad.json'));
      expect(typeof got === 'string' ? got : 'accepted', String(cases.indexOf(bad))).toMatch(/^refused: /);
      expect(String(got)).not.toContain('\n');
    }
    expect(columnar(text.replace(/"id": "B0002"/, '"id": "B0001"'), 'bad.json')).toMatch(/duplicate node id "B0001"/);
    expect(columnar(text.slice(0, -3), 'bad.json')).toBe(
      'refused: bad.json is not valid JSON: it ends too early (truncated?)',
    );
  });

  it('gives the clearing system of the whole-file path without liability objects', () => {
    const document = randomSparseNetwork(40, 12, 9);
    const network = readNetworkJsonColumns(file(serialiseJson(document)), 'n.json');
    expect(toClearingSystemFromColumns(network.document, network.liabilities)).toEqual(toClearingSystem(document));
  });
});
