/**
 * The network picture of a brief, drawn as SVG in the main process (Cytoscape needs a DOM). Deterministic
 * concentric layout: up to 24 highlighted institutions (e.g. those in default) on the inner ring (more stay,
 * coloured, on the one ring), the others on the
 * outer ring, each ring ordered by group then id; node area ∝ weight (e.g. total assets); only the largest
 * edges are drawn, and the caption says how many.
 */
import type { BriefChart } from '../../../src-shared/briefs';
import { CHART_FONT } from './charts';
import { formatNumber } from '../../../src-shared/brief-format';

export interface PictureNode {
  id: string;
  group?: string;
  /** Size measure (drawn as area); non-positive draws the smallest dot. */
  weight: number;
  /** Key of a highlight class, or undefined for an ordinary node. */
  highlight?: string;
}

export interface PictureEdge {
  from: string;
  to: string;
  amount: number;
}

export interface HighlightClass {
  key: string;
  label: string;
  color: string;
}

const WIDTH = 520;
const HEIGHT = 500;
const CENTRE = { x: WIDTH / 2, y: 240 };
const OUTER = 185;
const INNER = 85;
const PLAIN = '#5b7fa6';
const MAX_INNER = 24;

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const round = (value: number) => Math.round(value * 100) / 100;

function ringPositions(nodes: PictureNode[], radius: number): Map<string, { x: number; y: number; angle: number }> {
  const ordered = [...nodes].sort((a, b) => (a.group ?? '').localeCompare(b.group ?? '') || a.id.localeCompare(b.id));
  return new Map(
    ordered.map((node, index) => {
      const angle =
        ordered.length === 1 && radius === INNER ? -Math.PI / 2 : -Math.PI / 2 + (2 * Math.PI * index) / ordered.length;
      return [node.id, { x: CENTRE.x + radius * Math.cos(angle), y: CENTRE.y + radius * Math.sin(angle), angle }];
    }),
  );
}

export function drawNetwork(options: {
  title: string;
  caption: string;
  nodes: PictureNode[];
  edges: PictureEdge[];
  highlights: HighlightClass[];
  unit: string;
  maxEdges?: number;
}): BriefChart {
  const { nodes, highlights } = options;
  const maxEdges = options.maxEdges ?? 150;
  // Few highlighted institutions go on the inner ring; many stay in place on the one ring, coloured.
  const concentric = nodes.filter((n) => n.highlight !== undefined).length <= MAX_INNER;
  const inner = concentric ? nodes.filter((n) => n.highlight !== undefined) : [];
  const outer = concentric ? nodes.filter((n) => n.highlight === undefined) : nodes;
  const position = new Map([...ringPositions(outer, OUTER), ...ringPositions(inner, outer.length > 0 ? INNER : OUTER)]);
  const colour = new Map(highlights.map((h) => [h.key, h.color]));
  const maxWeight = Math.max(1e-12, ...nodes.map((n) => n.weight));
  const radius = (n: PictureNode) => 1.6 + 5.4 * Math.sqrt(Math.max(0, n.weight) / maxWeight);

  const drawn = options.edges
    .filter((e) => e.amount > 0 && position.has(e.from) && position.has(e.to))
    .sort((a, b) => b.amount - a.amount || a.from.localeCompare(b.from) || a.to.localeCompare(b.to))
    .slice(0, maxEdges);
  const maxAmount = drawn[0]?.amount ?? 1;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="${CHART_FONT}">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
  ];
  for (const edge of [...drawn].reverse()) {
    const a = position.get(edge.from)!;
    const b = position.get(edge.to)!;
    const width = round(0.25 + 2.25 * (edge.amount / maxAmount));
    parts.push(
      `<line x1="${round(a.x)}" y1="${round(a.y)}" x2="${round(b.x)}" y2="${round(b.y)}" stroke="#8a94a6" stroke-opacity="0.45" stroke-width="${width}"/>`,
    );
  }
  for (const node of nodes) {
    const p = position.get(node.id)!;
    const fill = node.highlight ? (colour.get(node.highlight) ?? PLAIN) : PLAIN;
    parts.push(
      `<circle cx="${round(p.x)}" cy="${round(p.y)}" r="${round(radius(node))}" fill="${fill}" stroke="white" stroke-width="0.5"/>`,
    );
    const onOuter = !inner.includes(node) || outer.length === 0;
    if (onOuter) {
      const degrees = (p.angle * 180) / Math.PI;
      const flip = Math.cos(p.angle) < 0;
      const lx = CENTRE.x + (OUTER + 10) * Math.cos(p.angle);
      const ly = CENTRE.y + (OUTER + 10) * Math.sin(p.angle);
      parts.push(
        `<text x="${round(lx)}" y="${round(ly)}" font-size="5.5" fill="#374151" dominant-baseline="middle" text-anchor="${flip ? 'end' : 'start'}" transform="rotate(${round(flip ? degrees + 180 : degrees)} ${round(lx)} ${round(ly)})">${escapeXml(node.id)}</text>`,
      );
    } else {
      parts.push(
        `<text x="${round(p.x)}" y="${round(p.y - radius(node) - 2)}" font-size="6" fill="#111827" text-anchor="middle">${escapeXml(node.id)}</text>`,
      );
    }
  }
  const legend = [...highlights, { key: '', label: 'other institutions', color: PLAIN }];
  legend.forEach((entry, index) => {
    const x = 20 + index * 150;
    parts.push(`<circle cx="${x}" cy="${HEIGHT - 22}" r="4" fill="${entry.color}"/>`);
    parts.push(`<text x="${x + 8}" y="${HEIGHT - 19}" font-size="9" fill="#374151">${escapeXml(entry.label)}</text>`);
  });
  parts.push(
    `<text x="20" y="${HEIGHT - 6}" font-size="8" fill="#6b7280">${escapeXml(
      `${drawn.length} largest of ${options.edges.filter((e) => e.amount > 0).length} exposures drawn (widest ${formatNumber(maxAmount, 0)} ${options.unit}); dot area ∝ size`,
    )}</text>`,
  );
  parts.push('</svg>');
  return { title: options.title, caption: options.caption, svg: parts.join(''), width: WIDTH, height: HEIGHT };
}
