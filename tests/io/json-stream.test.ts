import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { randomSparseNetwork } from '../../src-main/engines/synthetic';
import { readJsonFile } from '../../src-main/io/json-stream';
import { parseNetworkJson, readNetworkJsonFile, serialiseJson } from '../../src-main/io/network-json';
import { tempFiles } from '../support/fixtures';

const dir = tempFiles('cwb-json-stream-');
afterAll(() => dir.remove());
const file = dir.file;
const refusal = (content: string | Uint8Array) => {
  try {
    readJsonFile(file(content), 'x.json');
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
};

describe('JSON read as a stream', () => {
  it('gives what JSON.parse gives, for any JSON value (unicode strings, escapes, numbers, nesting, any indentation)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.constantFrom(undefined, 0, 1, 4, '\t'), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        expect(readJsonFile(file(text), 'x.json')).toEqual(JSON.parse(text));
      }),
      { numRuns: 150 },
    );
  });

  it('reads a network@1 file of several 1 MiB chunks as parseNetworkJson does (tokens split across chunks)', () => {
    const text = serialiseJson(randomSparseNetwork(200, 199, 3));
    expect(text.length).toBeGreaterThan(3 * 2 ** 20);
    const path = file(`\uFEFF${text}`);
    expect(readNetworkJsonFile(path, 'dense.json')).toEqual(parseNetworkJson(text, 'dense.json'));
  });

  it('refuses bad files in one line, in the words of the whole-file reader, with the line and column', () => {
    expect(refusal('')).toBe('x.json is empty (expected a JSON document)');
    expect(refusal('{"a": [1, 2')).toBe('x.json is not valid JSON: it ends too early (truncated?)');
    const trailingComma = '{\n  "a": [1, 2,]\n}';
    expect(refusal(trailingComma)).toBe('x.json: line 2, column 14: not valid JSON — "]\\n}"');
    expect(refusal('{"a": 01}')).toMatch(/^x\.json: line 1, column 7: not valid JSON \(a malformed number\)/);
    expect(refusal('{"a": tru}')).toMatch(/^x\.json: line 1, column \d+: not valid JSON/);
    expect(refusal('{"a": 1} x')).toMatch(/content after the document/);
    expect(refusal(new Uint8Array([0x22, 0xff, 0x22]))).toBe('x.json is not valid UTF-8 text');
    expect(refusal('['.repeat(600) + ']'.repeat(600))).toBe('x.json is not valid JSON: nested too deeply');
    for (const message of [refusal('{"a": tru}'), refusal('{"a": [1, 2')]) expect(message).not.toContain('\n');
  });

  it('checks the network with the same rules and words as parseNetworkJson', () => {
    const document = randomSparseNetwork(5, 2, 4);
    document.liabilities[1]!.amount = -3;
    const text = serialiseJson(document);
    const expected = (() => {
      try {
        parseNetworkJson(text, 'bad.json');
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    })();
    expect(expected).toMatch(/^bad\.json: liability 2/);
    expect(() => readNetworkJsonFile(file(text), 'bad.json')).toThrow(expected);
    expect(() =>
      readNetworkJsonFile(
        file('{"format": "contagion-workbench/network@1", "name": "n", "nodes": [], "liabilities": []}'),
        'empty.json',
      ),
    ).toThrow(/empty\.json: the network has no banks/);
  });
});
