import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { networkFromGraphml, networkToGraphml } from '../../src-main/io/graphml';
import { importFileAsync, interbankNetworkOf } from '../../src-main/io/importers';
import { ringNetwork } from '../support/fixtures';
import { networkArbitrary, withoutNulls } from './network-arbitrary';

/** What networkx.write_graphml writes for a DiGraph with node attributes and weighted edges. */
const NETWORKX = `<?xml version='1.0' encoding='utf-8'?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">
  <key id="d4" for="edge" attr.name="weight" attr.type="double" />
  <key id="d3" for="node" attr.name="c" attr.type="double" />
  <key id="d2" for="node" attr.name="b" attr.type="long" />
  <key id="d1" for="node" attr.name="label" attr.type="string" />
  <key id="d0" for="graph" attr.name="name" attr.type="string" />
  <graph edgedefault="directed">
    <data key="d0">Toy interbank</data>
    <node id="DE1">
      <data key="d1">Deutsche</data>
      <data key="d2">90</data>
      <data key="d3">100.5</data>
    </node>
    <node id="FR1">
      <data key="d1">BNP</data>
      <data key="d2">80</data>
      <data key="d3">95</data>
    </node>
    <node id="IT1" />
    <edge source="DE1" target="FR1">
      <data key="d4">12.5</data>
    </edge>
    <edge source="FR1" target="IT1">
      <data key="d4">3</data>
    </edge>
  </graph>
</graphml>
`;

/** yEd: labels inside ShapeNode graphics, an edge attribute declared with a default. */
const YED = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:y="http://www.yworks.com/xml/graphml">
  <key for="node" id="d6" yfiles.type="nodegraphics"/>
  <key attr.name="Exposure" attr.type="double" for="edge" id="d9"><default>1.5</default></key>
  <graph edgedefault="directed" id="G">
    <node id="n0"><data key="d6"><y:ShapeNode><y:NodeLabel alignment="center">Bank Zero</y:NodeLabel></y:ShapeNode></data></node>
    <node id="n1"><data key="d6"><y:ShapeNode><y:NodeLabel>Bank One</y:NodeLabel></y:ShapeNode></data></node>
    <edge id="e0" source="n0" target="n1"/>
    <edge id="e1" source="n1" target="n0"><data key="d9">4</data></edge>
  </graph>
</graphml>
`;

describe('GraphML', () => {
  it('round-trips generated networks losslessly', () => {
    fc.assert(
      fc.property(networkArbitrary, (document) => {
        expect(networkFromGraphml(networkToGraphml(document), 'net.graphml')).toEqual(withoutNulls(document));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps text that looks like markup or character references', () => {
    const document = ringNetwork('A &amp; B <x> &#10; "q"');
    document.nodes[0]!.name = '  padded &lt; ';
    document.nodes[1]!.group = 'tab\there\nnewline';
    document.nodes[2]!.name = '';
    const back = networkFromGraphml(networkToGraphml(document), 'x.graphml');
    expect(back).toEqual(document);
  });

  it('writes a directed graph with a key per node field in use and an amount on each edge', () => {
    const text = networkToGraphml(ringNetwork());
    expect(text).toContain('<graph id="G" edgedefault="directed">');
    expect(text).toContain('<key id="n_outsideAssets" for="node" attr.name="outsideAssets" attr.type="double"/>');
    expect(text).not.toContain('n_totalAssets');
    expect(text).toContain('<edge source="A" target="B"><data key="e_amount">10</data></edge>');
    expect(text).toContain('<data key="g_currency">EUR</data>');
  });

  it('reads a networkx file: label → name, c and b by attr.name, weight → amount', () => {
    const document = networkFromGraphml(NETWORKX, 'toy.graphml');
    expect(document).toEqual({
      format: 'contagion-workbench/network@1',
      name: 'Toy interbank',
      nodes: [
        { id: 'DE1', name: 'Deutsche', outsideLiabilities: 90, outsideAssets: 100.5 },
        { id: 'FR1', name: 'BNP', outsideLiabilities: 80, outsideAssets: 95 },
        { id: 'IT1' },
      ],
      liabilities: [
        { debtor: 'DE1', creditor: 'FR1', amount: 12.5 },
        { debtor: 'FR1', creditor: 'IT1', amount: 3 },
      ],
    });
  });

  it('reads a yEd file: node labels as names, key defaults for missing edge data', () => {
    const document = networkFromGraphml(YED, 'drawn.graphml');
    expect(document.name).toBe('drawn');
    expect(document.nodes).toEqual([
      { id: 'n0', name: 'Bank Zero' },
      { id: 'n1', name: 'Bank One' },
    ]);
    expect(document.liabilities).toEqual([
      { debtor: 'n0', creditor: 'n1', amount: 1.5 },
      { debtor: 'n1', creditor: 'n0', amount: 4 },
    ]);
  });

  it('names the line of malformed XML', () => {
    const broken = NETWORKX.replace('<data key="d2">80</data>', '<data key="d2">80</dta>');
    expect(() => networkFromGraphml(broken, 'bad.graphml')).toThrow(
      /^bad\.graphml: row 17, column \d+: not well-formed XML \(Expected closing tag .data./,
    );
  });

  it('refuses undirected graphs, edges without amounts and broken network rules, naming each edge', () => {
    const undirected = NETWORKX.replace('edgedefault="directed"', 'edgedefault="undirected"');
    expect(() => networkFromGraphml(undirected, 'u.graphml')).toThrow(/edge 1 \("DE1" → "FR1"\): undirected/);
    const bad = NETWORKX.replace('<edge source="FR1" target="IT1">', '<edge source="FR1" target="FR1">')
      .replace('<data key="d4">12.5</data>', '<data key="d4">-2</data>')
      .replace(
        '</graph>',
        '<edge source="IT1" target="XX"><data key="d4">1</data></edge><edge source="IT1" target="DE1"/></graph>',
      );
    expect(() => networkFromGraphml(bad, 'b.graphml')).toThrow(
      'b.graphml: 4 problems: edge 1 ("DE1" → "FR1"): amount must be ≥ 0; edge 2 ("FR1" → "FR1"): self-loop on "FR1" is not allowed; ' +
        'edge 3 ("IT1" → "XX"): unknown node id "XX"; edge 4 ("IT1" → "DE1"): no amount (give edges an amount, weight or value attribute)',
    );
  });

  it('refuses entity declarations', () => {
    const withEntity = `<?xml version="1.0"?><!DOCTYPE g [<!ENTITY x "y">]>${NETWORKX.slice(NETWORKX.indexOf('<graphml'))}`;
    expect(() => networkFromGraphml(withEntity, 'e.graphml')).toThrow(/entity declarations/);
  });

  it('is imported by importFileAsync', async () => {
    const imported = await importFileAsync('toy.graphml', new TextEncoder().encode(NETWORKX));
    expect(interbankNetworkOf(imported).nodes).toHaveLength(3);
    expect(imported.report.importer).toBe('GraphML');
  });
});
