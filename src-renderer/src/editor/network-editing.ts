/**
 * The network editor's model: edits are pure functions from one network@1 document to the next, each checked
 * against the format's rules (docs/formats.md) before it is applied, and an undo/redo history of documents.
 */
import {
  networkDocumentSchema,
  type Liability,
  type NetworkDocument,
  type NetworkNode,
} from '../../../src-shared/formats/network';

import type { NumericNodeField } from '../../../src-shared/formats/columns';

export type { NumericNodeField };

/** The numeric fields with their labels and the rule each obeys. */
export const NUMERIC_FIELD_SPECS: Array<{
  field: NumericNodeField;
  label: string;
  unit: 'amount' | 'probability' | 'signed';
}> = [
  { field: 'outsideAssets', label: 'Outside assets c', unit: 'amount' },
  { field: 'outsideLiabilities', label: 'Outside liabilities b', unit: 'amount' },
  { field: 'totalAssets', label: 'Total assets', unit: 'amount' },
  { field: 'totalLiabilities', label: 'Total liabilities', unit: 'amount' },
  { field: 'equity', label: 'Equity', unit: 'signed' },
  { field: 'insideAssets', label: 'Inside assets d', unit: 'amount' },
  { field: 'insideLiabilities', label: 'Inside liabilities f', unit: 'amount' },
  { field: 'defaultProbability', label: 'Default probability δ', unit: 'probability' },
];

export const edgeKey = (debtor: string, creditor: string) => `${debtor}→${creditor}`;

/** Parses a typed value for a numeric field: null for an empty box, else a number or the rule it breaks. */
export function parseNumericField(field: NumericNodeField, text: string): { value: number | null } | { error: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { value: null };
  const value = Number(trimmed.replace(/,/g, ''));
  if (!Number.isFinite(value)) return { error: 'must be a number' };
  const spec = NUMERIC_FIELD_SPECS.find((f) => f.field === field)!;
  if (spec.unit === 'amount' && value < 0) return { error: 'must be ≥ 0' };
  if (spec.unit === 'probability' && (value < 0 || value > 1)) return { error: 'must be between 0 and 1' };
  return { value };
}

export function parseAmount(text: string): { value: number } | { error: string } {
  const value = Number(text.trim().replace(/,/g, ''));
  if (text.trim() === '' || !Number.isFinite(value)) return { error: 'must be a number' };
  if (value < 0) return { error: 'must be ≥ 0' };
  return { value };
}

/** The first rule the document breaks, or undefined when it is valid. */
export function firstProblem(doc: NetworkDocument): string | undefined {
  const parsed = networkDocumentSchema.safeParse(doc);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0]!;
  return `${issue.path.join('.')}: ${issue.message}`;
}

export class EditError extends Error {}

function checked(doc: NetworkDocument): NetworkDocument {
  const problem = firstProblem(doc);
  if (problem) throw new EditError(problem);
  return doc;
}

export function nextNodeId(doc: NetworkDocument, prefix = 'N'): string {
  const taken = new Set(doc.nodes.map((n) => n.id));
  let k = doc.nodes.length + 1;
  while (taken.has(`${prefix}${k}`)) k++;
  return `${prefix}${k}`;
}

export const edits = {
  addNode(doc: NetworkDocument, node: NetworkNode): NetworkDocument {
    return checked({ ...doc, nodes: [...doc.nodes, node] });
  },
  /** Sets fields of the given nodes (bulk edit when several). `null` clears a field. */
  updateNodes(doc: NetworkDocument, ids: string[], patch: Partial<NetworkNode>): NetworkDocument {
    const chosen = new Set(ids);
    return checked({ ...doc, nodes: doc.nodes.map((node) => (chosen.has(node.id) ? withPatch(node, patch) : node)) });
  },
  renameNode(doc: NetworkDocument, from: string, to: string): NetworkDocument {
    if (from === to) return doc;
    if (!to.trim()) throw new EditError('id must not be empty');
    if (doc.nodes.some((n) => n.id === to)) throw new EditError(`id "${to}" is taken`);
    const rename = (id: string) => (id === from ? to : id);
    return checked({
      ...doc,
      nodes: doc.nodes.map((n) => (n.id === from ? { ...n, id: to } : n)),
      liabilities: doc.liabilities.map((l) => ({ ...l, debtor: rename(l.debtor), creditor: rename(l.creditor) })),
    });
  },
  /** Deletes nodes with their liabilities, and liabilities by key. */
  deleteElements(doc: NetworkDocument, nodeIds: string[], liabilityKeys: string[] = []): NetworkDocument {
    const nodes = new Set(nodeIds);
    const keys = new Set(liabilityKeys);
    return {
      ...doc,
      nodes: doc.nodes.filter((n) => !nodes.has(n.id)),
      liabilities: doc.liabilities.filter(
        (l) => !nodes.has(l.debtor) && !nodes.has(l.creditor) && !keys.has(edgeKey(l.debtor, l.creditor)),
      ),
    };
  },
  /** Adds a liability, or sets the amount of an existing one. */
  setLiability(doc: NetworkDocument, liability: Liability): NetworkDocument {
    const exists = doc.liabilities.some((l) => l.debtor === liability.debtor && l.creditor === liability.creditor);
    return checked({
      ...doc,
      liabilities: exists
        ? doc.liabilities.map((l) =>
            l.debtor === liability.debtor && l.creditor === liability.creditor ? { ...liability } : l,
          )
        : [...doc.liabilities, { ...liability }],
    });
  },
  /** Pastes copied nodes (and the liabilities among them) under fresh ids: "<id>-copy", "<id>-copy2", … */
  paste(
    doc: NetworkDocument,
    copied: { nodes: NetworkNode[]; liabilities: Liability[] },
  ): { doc: NetworkDocument; newIds: string[] } {
    const taken = new Set(doc.nodes.map((n) => n.id));
    const renamed = new Map<string, string>();
    for (const node of copied.nodes) {
      let candidate = `${node.id}-copy`;
      for (let k = 2; taken.has(candidate); k++) candidate = `${node.id}-copy${k}`;
      taken.add(candidate);
      renamed.set(node.id, candidate);
    }
    const nodes = copied.nodes.map((n) => ({ ...n, id: renamed.get(n.id)! }));
    const liabilities = copied.liabilities
      .filter((l) => renamed.has(l.debtor) && renamed.has(l.creditor))
      .map((l) => ({ ...l, debtor: renamed.get(l.debtor)!, creditor: renamed.get(l.creditor)! }));
    return {
      doc: checked({ ...doc, nodes: [...doc.nodes, ...nodes], liabilities: [...doc.liabilities, ...liabilities] }),
      newIds: nodes.map((n) => n.id),
    };
  },
};

function withPatch(node: NetworkNode, patch: Partial<NetworkNode>): NetworkNode {
  const next: Record<string, unknown> = { ...node };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || value === undefined || value === '') delete next[key];
    else next[key] = value;
  }
  return next as NetworkNode;
}

/** Copies the chosen nodes and the liabilities among them. */
export function copySelection(doc: NetworkDocument, ids: string[]): { nodes: NetworkNode[]; liabilities: Liability[] } {
  const chosen = new Set(ids);
  return {
    nodes: doc.nodes.filter((n) => chosen.has(n.id)).map((n) => ({ ...n })),
    liabilities: doc.liabilities.filter((l) => chosen.has(l.debtor) && chosen.has(l.creditor)).map((l) => ({ ...l })),
  };
}

/** Undo/redo over whole documents (edits are immutable, so snapshots share unchanged parts). */
export class EditHistory<T = NetworkDocument> {
  private past: T[] = [];
  private future: T[] = [];

  constructor(
    public current: T,
    private readonly limit = 200,
  ) {}

  apply(next: T): void {
    if (next === this.current) return;
    this.past.push(this.current);
    if (this.past.length > this.limit) this.past.shift();
    this.future = [];
    this.current = next;
  }
  undo(): boolean {
    const previous = this.past.pop();
    if (!previous) return false;
    this.future.push(this.current);
    this.current = previous;
    return true;
  }
  redo(): boolean {
    const next = this.future.pop();
    if (!next) return false;
    this.past.push(this.current);
    this.current = next;
    return true;
  }
  get canUndo() {
    return this.past.length > 0;
  }
  get canRedo() {
    return this.future.length > 0;
  }
  get dirty() {
    return this.past.length > 0;
  }
}
