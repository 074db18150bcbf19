/** fast-check generators of valid network@1 documents for the round-trip tests of the io/ layer. */
import fc from 'fast-check';
import { NETWORK_FORMAT, type NetworkDocument, type NetworkNode } from '../../src-shared/formats/network';

const CHARS = 'abcXYZ019 _-.,;"\'&<>|\t\né€ü中'.split('');

/** Text a user might type: commas, quotes, markup characters, tabs, newlines and non-ASCII; never blank. */
export const text = fc
  .array(fc.constantFrom(...CHARS), { minLength: 1, maxLength: 12 })
  .map((chars) => chars.join(''))
  .filter((value) => value.trim() !== '');

/** Ids are trimmed by the tabular readers, so generated ids carry no surrounding whitespace. */
export const nodeId = text.filter((value) => value.trim() === value);

const amount = fc
  .oneof(
    fc.double({ min: 0, max: 1e12, noNaN: true, noDefaultInfinity: true }),
    fc.integer({ min: 0, max: 1_000_000 }),
    fc.constantFrom(0, 1e-7, 0.1, 1e15, 123456.789),
  )
  .map((value) => (Object.is(value, -0) ? 0 : value));
const signed = fc.oneof(
  amount,
  amount.map((value) => (value === 0 ? 0 : -value)),
);
const probability = fc.double({ min: 0, max: 1, noNaN: true }).map((value) => (Object.is(value, -0) ? 0 : value));
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof(arbitrary, fc.constant(null));

const nodeFields = fc.record(
  {
    name: text,
    type: fc.constantFrom('bank', 'insurer', 'fund'),
    group: text,
    outsideAssets: maybe(amount),
    outsideLiabilities: maybe(amount),
    totalAssets: maybe(amount),
    totalLiabilities: maybe(amount),
    equity: maybe(signed),
    insideAssets: maybe(amount),
    insideLiabilities: maybe(amount),
    defaultProbability: maybe(probability),
  },
  { requiredKeys: [] },
);

export const networkArbitrary: fc.Arbitrary<NetworkDocument> = fc
  .uniqueArray(nodeId, { minLength: 1, maxLength: 12 })
  .chain((ids) =>
    fc.record({
      name: text,
      currency: fc.option(fc.constantFrom('EUR', 'USD'), { nil: undefined }),
      unit: fc.option(fc.constantFrom('million', 'billion'), { nil: undefined }),
      nodes: fc.tuple(...ids.map((id) => nodeFields.map((fields) => ({ id, ...fields })))),
      liabilities: (ids.length < 2
        ? fc.constant([] as Array<[number, number]>)
        : fc.uniqueArray(
            fc.tuple(fc.nat(ids.length - 1), fc.nat(ids.length - 1)).filter(([i, j]) => i !== j),
            { selector: ([i, j]) => `${i},${j}`, maxLength: 30 },
          )
      ).chain((pairs) =>
        fc.tuple(
          ...pairs.map(([i, j]) => amount.map((value) => ({ debtor: ids[i]!, creditor: ids[j]!, amount: value }))),
        ),
      ),
    }),
  )
  .map(({ name, currency, unit, nodes, liabilities }) => ({
    format: NETWORK_FORMAT,
    name,
    ...(currency !== undefined ? { currency } : {}),
    ...(unit !== undefined ? { unit } : {}),
    nodes,
    liabilities,
  }));

/** The document as a reader gives it back: null fields become absent. */
export function withoutNulls(document: NetworkDocument): NetworkDocument {
  return {
    ...document,
    nodes: document.nodes.map(
      (node) =>
        Object.fromEntries(
          Object.entries(node).filter(([, value]) => value !== null && value !== undefined),
        ) as NetworkNode,
    ),
  };
}
