import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { networkDocumentSchema } from '../../src-shared/formats/network';
import {
  copySelection,
  EditError,
  EditHistory,
  edgeKey,
  edits,
  nextNodeId,
  parseAmount,
  parseNumericField,
} from '../../src-renderer/src/editor/network-editing';
import { ringNetwork } from '../support/fixtures';

describe('network editing model', () => {
  it('validates typed values field by field', () => {
    expect(parseNumericField('outsideAssets', '1,250.5')).toEqual({ value: 1250.5 });
    expect(parseNumericField('outsideAssets', '-1')).toEqual({ error: 'must be ≥ 0' });
    expect(parseNumericField('equity', '-5')).toEqual({ value: -5 });
    expect(parseNumericField('defaultProbability', '1.2')).toEqual({ error: 'must be between 0 and 1' });
    expect(parseNumericField('totalAssets', '')).toEqual({ value: null });
    expect(parseNumericField('totalAssets', 'abc')).toEqual({ error: 'must be a number' });
    expect(parseAmount('')).toEqual({ error: 'must be a number' });
    expect(parseAmount('-0.1')).toEqual({ error: 'must be ≥ 0' });
  });

  it('refuses edits that break a rule of the format and leaves the document as it was', () => {
    const doc = ringNetwork();
    expect(() => edits.setLiability(doc, { debtor: 'A', creditor: 'A', amount: 1 })).toThrow(EditError);
    expect(() => edits.setLiability(doc, { debtor: 'A', creditor: 'Z', amount: 1 })).toThrow(/unknown node id "Z"/);
    expect(() => edits.addNode(doc, { id: 'B' })).toThrow(/duplicate node id "B"/);
    expect(() => edits.renameNode(doc, 'A', 'B')).toThrow(/taken/);
    expect(doc).toEqual(ringNetwork());
  });

  it('renames a node everywhere it is used and deletes a node with its liabilities', () => {
    const renamed = edits.renameNode(ringNetwork(), 'A', 'Alpha');
    expect(renamed.liabilities.filter((l) => l.debtor === 'Alpha' || l.creditor === 'Alpha')).toHaveLength(2);
    const deleted = edits.deleteElements(renamed, ['Alpha'], [edgeKey('B', 'C')]);
    expect(deleted.nodes.map((n) => n.id)).toEqual(['B', 'C']);
    expect(deleted.liabilities).toEqual([]);
  });

  it('bulk-edits several nodes and clears a field with null', () => {
    const doc = edits.updateNodes(ringNetwork(), ['A', 'C'], { group: 'G1', equity: null });
    expect(doc.nodes.map((n) => n.group)).toEqual(['G1', undefined, 'G1']);
    expect('equity' in doc.nodes[0]!).toBe(false);
    expect(doc.nodes[1]!.equity).toBe(5);
  });

  it('pastes copies under fresh ids with the liabilities among them', () => {
    const doc = ringNetwork();
    const copied = copySelection(doc, ['A', 'B']);
    expect(copied.liabilities).toEqual([{ debtor: 'A', creditor: 'B', amount: 10 }]);
    const once = edits.paste(doc, copied);
    const twice = edits.paste(once.doc, copied);
    expect(once.newIds).toEqual(['A-copy', 'B-copy']);
    expect(twice.newIds).toEqual(['A-copy2', 'B-copy2']);
    expect(twice.doc.liabilities).toContainEqual({ debtor: 'A-copy2', creditor: 'B-copy2', amount: 10 });
    expect(nextNodeId(twice.doc)).toBe('N8');
  });

  it('undo and redo walk any sequence of edits back and forth exactly', () => {
    const amount = fc.double({ min: 0, max: 1e6, noNaN: true });
    const step = fc.oneof(
      fc.record({
        kind: fc.constant('amount' as const),
        pair: fc.constantFrom(['A', 'B'], ['B', 'C'], ['C', 'A'], ['A', 'C']),
        amount,
      }),
      fc.record({ kind: fc.constant('add' as const) }),
      fc.record({ kind: fc.constant('assets' as const), id: fc.constantFrom('A', 'B', 'C'), amount }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 15 }), (steps) => {
        const history = new EditHistory(ringNetwork());
        const states = [history.current];
        for (const s of steps) {
          const d = history.current;
          const next =
            s.kind === 'amount'
              ? edits.setLiability(d, { debtor: s.pair[0], creditor: s.pair[1], amount: s.amount })
              : s.kind === 'add'
                ? edits.addNode(d, { id: nextNodeId(d) })
                : edits.updateNodes(d, [s.id], { outsideAssets: s.amount });
          history.apply(next);
          states.push(history.current);
          expect(networkDocumentSchema.safeParse(history.current).success).toBe(true);
        }
        for (let k = states.length - 2; k >= 0; k--) {
          expect(history.undo()).toBe(true);
          expect(history.current).toEqual(states[k]);
        }
        expect(history.undo()).toBe(false);
        expect(history.dirty).toBe(false);
        for (let k = 1; k < states.length; k++) {
          expect(history.redo()).toBe(true);
          expect(history.current).toEqual(states[k]);
        }
        expect(history.redo()).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it('a new edit after undo drops the redo branch', () => {
    const history = new EditHistory(ringNetwork());
    history.apply(edits.addNode(history.current, { id: 'D' }));
    history.undo();
    history.apply(edits.addNode(history.current, { id: 'E' }));
    expect(history.canRedo).toBe(false);
    expect(history.current.nodes.map((n) => n.id)).toEqual(['A', 'B', 'C', 'E']);
  });
});
