/**
 * network@1 as GraphML (http://graphml.graphdrawing.org/): a directed graph whose edge source → target is
 * debtor → creditor with data key `amount` (p̄_ij), one node data key per node field in use, and graph-level
 * keys name, currency and unit; an export also carries its classification marking (the graph's <desc> and
 * graph-level keys classification, organisation, exported at, exported by), which reading ignores. Our own
 * output reads back losslessly (null read back as absent).
 *
 * Reading (fast-xml-parser) also takes files written by yEd, Gephi and networkx: data keys are matched by
 * `attr.name` (else the key id) to node fields by the same synonyms as CSV columns (label → name, c → outside
 * assets, …); an edge's amount is its amount/weight/value/exposure data (or the key's default); a yEd node
 * label stands in for a missing name. Undirected edges, edges without an amount and every network@1 rule
 * (unknown ids, self-loops, a second edge for an ordered pair, negative amounts) are refused with the node or
 * edge named. Malformed XML is refused with its line and column.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AppError } from '../../src-shared/errors';
import { markingLine, type ExportMetadata } from '../../src-shared/formats/export-marking';
import {
  NETWORK_FORMAT,
  networkDocumentSchema,
  type Liability,
  type NetworkDocument,
  type NetworkNode,
} from '../../src-shared/formats/network';
import {
  NUMERIC_NODE_FIELDS,
  TEXT_NODE_FIELDS,
  suggestEdgeFields,
  suggestNodeFields,
  type NodeField,
  type NumericNodeField,
} from './column-mapping';
import { ImportError, quote } from './import-error';
import { firstLine } from './import-limits';
import { describeDocumentIssues } from './network-json';
import { parseNumberCell } from './tables';
import { usedNodeFields } from './tabular-network';

const GRAPH_FIELDS = ['name', 'currency', 'unit'] as const;
type GraphField = (typeof GRAPH_FIELDS)[number];

/** Characters XML 1.0 cannot carry at all (even as character references). */
const NOT_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function escapeXml(text: string, where: string): string {
  if (NOT_XML.test(text)) {
    throw new AppError('invalid_input', `${where} contains a control character that GraphML (XML 1.0) cannot hold`);
  }
  return text.replace(/[&<>"'\t\n\r]/g, (char) => {
    switch (char) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case "'":
        return '&apos;';
      default:
        return `&#${char.charCodeAt(0)};`;
    }
  });
}

const isNumericField = (field: NodeField): field is NumericNodeField =>
  (NUMERIC_NODE_FIELDS as readonly string[]).includes(field);

/** Graph-level keys of an export's classification marking (export-marking.ts); readers ignore them. */
const MARKING_KEYS = [
  ['marking', 'classification'],
  ['organisation', 'organisation'],
  ['exportedAt', 'exported at'],
  ['exportedBy', 'exported by'],
] as const;

/** The graph's <desc> and <data> of the marking: what yEd and Gephi show as the graph's description and attributes. */
function markingElements(metadata: ExportMetadata): { keys: string[]; graph: string[] } {
  const keys: string[] = [];
  const graph = [`    <desc>${escapeXml(markingLine(metadata), 'the classification marking')}</desc>`];
  for (const [field, name] of MARKING_KEYS) {
    const value = metadata[field];
    if (value === undefined || value === '') continue;
    keys.push(`  <key id="g_${field}" for="graph" attr.name="${name}" attr.type="string"/>`);
    graph.push(`    <data key="g_${field}">${escapeXml(value, `the export's ${name}`)}</data>`);
  }
  return { keys, graph };
}

export function networkToGraphml(document: NetworkDocument, metadata?: ExportMetadata): string {
  const fields = usedNodeFields(document).filter((field) => field !== 'id');
  const marking = metadata ? markingElements(metadata) : { keys: [], graph: [] };
  const lines: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"',
    '    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
    '    xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
  ];
  lines.push(...marking.keys);
  for (const field of GRAPH_FIELDS) {
    lines.push(`  <key id="g_${field}" for="graph" attr.name="${field}" attr.type="string"/>`);
  }
  for (const field of fields) {
    const type = isNumericField(field) ? 'double' : 'string';
    lines.push(`  <key id="n_${field}" for="node" attr.name="${field}" attr.type="${type}"/>`);
  }
  lines.push('  <key id="e_amount" for="edge" attr.name="amount" attr.type="double"/>');
  lines.push('  <graph id="G" edgedefault="directed">', ...marking.graph);
  for (const field of GRAPH_FIELDS) {
    const value = document[field];
    if (value !== undefined) lines.push(`    <data key="g_${field}">${escapeXml(value, `network ${field}`)}</data>`);
  }
  for (const node of document.nodes) {
    const where = `node "${node.id}"`;
    const data = fields
      .filter((field) => node[field] !== undefined && node[field] !== null)
      .map((field) => {
        const value = node[field]!;
        const text = typeof value === 'number' ? String(value) : escapeXml(value, `${where} ${field}`);
        return `<data key="n_${field}">${text}</data>`;
      });
    const id = escapeXml(node.id, where);
    lines.push(data.length > 0 ? `    <node id=${quote(id)}>${data.join('')}</node>` : `    <node id=${quote(id)}/>`);
  }
  for (const entry of document.liabilities) {
    lines.push(
      `    <edge source="${escapeXml(entry.debtor, 'debtor id')}" target="${escapeXml(entry.creditor, 'creditor id')}">` +
        `<data key="e_amount">${String(entry.amount)}</data></edge>`,
    );
  }
  lines.push('  </graph>', '</graphml>', '');
  return lines.join('\n');
}

interface XmlElement {
  [key: string]: unknown;
}

const ARRAY_TAGS = new Set(['key', 'graph', 'node', 'edge', 'data', 'hyperedge']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  removeNSPrefix: true,
  htmlEntities: true,
  isArray: (name) => ARRAY_TAGS.has(name),
});

const attr = (element: XmlElement, name: string): string | undefined => {
  const value = element[`@_${name}`];
  return typeof value === 'string' ? value : undefined;
};

const children = (element: XmlElement, tag: string): XmlElement[] => {
  const value = element[tag];
  return Array.isArray(value) ? (value as XmlElement[]) : [];
};

/** The text content of an element (fast-xml-parser gives a string, or an object with #text). */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const text = (value as XmlElement)['#text'];
    if (typeof text === 'string' || typeof text === 'number') return String(text);
  }
  return '';
}

/** A yEd node label (data → ShapeNode/GenericNode/… → NodeLabel), when there is one. */
function yedLabel(data: XmlElement): string | undefined {
  for (const [tag, value] of Object.entries(data)) {
    if (tag.startsWith('@_') || tag === '#text' || !value || typeof value !== 'object') continue;
    const label = (value as XmlElement).NodeLabel;
    const first: unknown = Array.isArray(label) ? label[0] : label;
    if (first !== undefined) {
      const text = textOf(first).trim();
      if (text !== '') return text;
    }
  }
  return undefined;
}

interface KeyInfo {
  id: string;
  for: string;
  name: string;
  fallback?: string;
}

const LISTED = 10;

/** The <graphml> root of a well-formed file without entity declarations. */
function graphmlRoot(text: string, fileName: string): XmlElement {
  if (/<!ENTITY/i.test(text)) {
    throw new ImportError(`${fileName}: entity declarations (<!ENTITY) are not accepted in GraphML files`);
  }
  let root: XmlElement | undefined;
  try {
    const valid = XMLValidator.validate(text);
    if (valid !== true) {
      const { line, col, msg } = valid.err;
      throw new ImportError(`${fileName}: row ${line}, column ${col}: not well-formed XML (${msg})`);
    }
    root = (parser.parse(text) as XmlElement).graphml as XmlElement | undefined;
  } catch (error) {
    if (error instanceof ImportError) throw error;
    throw new ImportError(
      `${fileName} is not readable XML: ${error instanceof RangeError ? 'nested too deeply' : firstLine((error as Error).message)}`,
    );
  }
  if (!root || typeof root !== 'object')
    throw new ImportError(`${fileName} is not GraphML (no <graphml> root element)`);
  return root;
}

/** The file's data keys and which of them this reader uses for node fields, edge amounts and the graph. */
class GraphmlKeys {
  readonly all = new Map<string, KeyInfo>();
  /** key id → the node field it fills */
  readonly nodeFields = new Map<string, NodeField>();
  readonly amount: KeyInfo | undefined;

  constructor(root: XmlElement) {
    for (const key of children(root, 'key')) {
      const id = attr(key, 'id');
      if (!id) continue;
      const fallback = key.default === undefined ? undefined : textOf(key.default);
      this.all.set(id, { id, for: attr(key, 'for') ?? 'all', name: attr(key, 'attr.name') ?? id, fallback });
    }
    const nodeKeys = this.for('node');
    const suggestedNodes = suggestNodeFields(nodeKeys.map((key) => key.name));
    for (const [field, name] of Object.entries(suggestedNodes) as Array<[NodeField, string]>) {
      if (field === 'id') continue;
      const key = nodeKeys.find((candidate) => candidate.name === name);
      if (key) this.nodeFields.set(key.id, field);
    }
    const edgeKeys = this.for('edge');
    const amountName = suggestEdgeFields(edgeKeys.map((key) => key.name)).amount;
    this.amount = edgeKeys.find((key) => key.name === amountName);
  }

  for(kind: string): KeyInfo[] {
    return [...this.all.values()].filter((key) => key.for === kind || key.for === 'all');
  }
}

function dataOf(element: XmlElement): Map<string, XmlElement> {
  return new Map(children(element, 'data').map((data) => [attr(data, 'key') ?? '', data]));
}

/** The graph-level name, currency and unit. */
function graphValues(graph: XmlElement, keys: GraphmlKeys): Partial<Record<GraphField, string>> {
  const documentValues: Partial<Record<GraphField, string>> = {};
  const graphData = dataOf(graph);
  for (const key of keys.for('graph')) {
    const field = GRAPH_FIELDS.find((candidate) => candidate === key.name);
    if (!field) continue;
    const data = graphData.get(key.id);
    const value = data ? textOf(data) : key.fallback;
    if (value !== undefined) documentValues[field] = value;
  }
  return documentValues;
}

/** Sets the node's fields from its data (or the keys' defaults), adding a problem for each refused value. */
function readNodeFields(
  node: NetworkNode,
  data: Map<string, XmlElement>,
  keys: GraphmlKeys,
  where: string,
  problems: string[],
): void {
  for (const [keyId, field] of keys.nodeFields) {
    const key = keys.all.get(keyId)!;
    const found = data.get(keyId);
    const value = found ? textOf(found) : key.fallback;
    if (value === undefined) continue;
    if ((TEXT_NODE_FIELDS as readonly string[]).includes(field)) {
      node[field as (typeof TEXT_NODE_FIELDS)[number]] = value;
      continue;
    }
    const number = parseNumberCell(value);
    if (number === null) continue;
    const numeric = field as NumericNodeField;
    if (Number.isNaN(number)) problems.push(`${where} (${key.name}): not a number: "${value.trim()}"`);
    else if (numeric === 'defaultProbability' && (number < 0 || number > 1))
      problems.push(`${where} (${key.name}): must be between 0 and 1`);
    else if (numeric !== 'equity' && number < 0) problems.push(`${where} (${key.name}): must be ≥ 0`);
    else node[numeric] = number;
  }
  if (node.name === undefined) {
    for (const value of data.values()) {
      const label = yedLabel(value);
      if (label !== undefined) {
        node.name = label;
        break;
      }
    }
  }
}

function readNodes(
  graph: XmlElement,
  keys: GraphmlKeys,
  problems: string[],
): { nodes: NetworkNode[]; ids: Set<string> } {
  const nodes: NetworkNode[] = [];
  const ids = new Set<string>();
  children(graph, 'node').forEach((element, index) => {
    const id = attr(element, 'id') ?? '';
    const where = id === '' ? `node ${index + 1}` : `node ${quote(id)}`;
    if (id === '') problems.push(`${where}: missing id`);
    else if (ids.has(id)) problems.push(`${where}: duplicate node id`);
    ids.add(id);
    const node: NetworkNode = { id };
    readNodeFields(node, dataOf(element), keys, where, problems);
    nodes.push(node);
  });
  return { nodes, ids };
}

/** Whether an edge's ends are known, distinct banks and the first edge of its ordered pair; adds a problem if not. */
function edgeEndsValid(
  debtor: string,
  creditor: string,
  where: string,
  ids: Set<string>,
  pairs: Set<string>,
  problems: string[],
): boolean {
  let ok = true;
  for (const [role, id] of [
    ['source', debtor],
    ['target', creditor],
  ] as const) {
    if (id === '') {
      problems.push(`${where}: missing ${role}`);
      ok = false;
    } else if (!ids.has(id)) {
      problems.push(`${where}: unknown node id ${quote(id)}`);
      ok = false;
    }
  }
  if (debtor === creditor) {
    problems.push(`${where}: self-loop on ${quote(debtor)} is not allowed`);
    ok = false;
  }
  const pair = `${debtor}\u0000${creditor}`;
  if (pairs.has(pair)) {
    problems.push(
      `${where}: second edge for debtor ${quote(debtor)} → creditor ${quote(creditor)} (at most one per ordered pair)`,
    );
    ok = false;
  }
  pairs.add(pair);
  return ok;
}

/** An edge's amount, or undefined with a problem added when it is missing, not a number or negative. */
function edgeAmount(
  element: XmlElement,
  amountKey: KeyInfo | undefined,
  where: string,
  problems: string[],
): number | undefined {
  const found = amountKey ? dataOf(element).get(amountKey.id) : undefined;
  const text = found ? textOf(found) : amountKey?.fallback;
  const amount = parseNumberCell(text);
  if (amount === null) {
    problems.push(`${where}: no amount (give edges an amount, weight or value attribute)`);
  } else if (Number.isNaN(amount)) {
    problems.push(`${where}: amount is not a number: "${(text ?? '').trim()}"`);
  } else if (amount < 0) {
    problems.push(`${where}: amount must be ≥ 0`);
  } else {
    return amount;
  }
  return undefined;
}

function readLiabilities(graph: XmlElement, keys: GraphmlKeys, ids: Set<string>, problems: string[]): Liability[] {
  const directedByDefault = (attr(graph, 'edgedefault') ?? 'directed') === 'directed';
  const liabilities: Liability[] = [];
  const pairs = new Set<string>();
  children(graph, 'edge').forEach((element, index) => {
    const debtor = attr(element, 'source') ?? '';
    const creditor = attr(element, 'target') ?? '';
    const where = `edge ${index + 1} (${quote(debtor)} → ${quote(creditor)})`;
    const directed = attr(element, 'directed');
    if (directed === 'false' || (directed === undefined && !directedByDefault)) {
      problems.push(`${where}: undirected; a liability needs a direction (source = debtor, target = creditor)`);
      return;
    }
    const endsOk = edgeEndsValid(debtor, creditor, where, ids, pairs, problems);
    const amount = edgeAmount(element, keys.amount, where, problems);
    if (endsOk && amount !== undefined) liabilities.push({ debtor, creditor, amount });
  });
  return liabilities;
}

export function networkFromGraphml(text: string, fileName: string): NetworkDocument {
  const root = graphmlRoot(text, fileName);
  const graph = children(root, 'graph')[0];
  if (!graph) throw new ImportError(`${fileName}: no <graph> element`);
  const keys = new GraphmlKeys(root);
  const problems: string[] = [];
  const documentValues = graphValues(graph, keys);
  const { nodes, ids } = readNodes(graph, keys, problems);
  const liabilities = readLiabilities(graph, keys, ids, problems);

  if (problems.length > 0) {
    const more = problems.length > LISTED ? `; … and ${problems.length - LISTED} more` : '';
    throw new ImportError(
      `${fileName}: ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems.slice(0, LISTED).join('; ')}${more}`,
    );
  }
  const baseName = fileName.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, '');
  const document: NetworkDocument = {
    format: NETWORK_FORMAT,
    name: documentValues.name || baseName || 'network',
    ...(documentValues.currency !== undefined ? { currency: documentValues.currency } : {}),
    ...(documentValues.unit !== undefined ? { unit: documentValues.unit } : {}),
    nodes,
    liabilities,
  };
  const parsed = networkDocumentSchema.safeParse(document);
  if (!parsed.success) {
    const { message, field } = describeDocumentIssues(parsed.error.issues, document);
    throw new ImportError(`${fileName}: ${message}`, field);
  }
  if (parsed.data.nodes.length === 0) throw new ImportError(`${fileName}: the network has no banks`, 'nodes');
  return parsed.data;
}
