/**
 * What every Cytoscape view here shares: a hover tooltip, neighbour highlight on selection, fitting the view to
 * what is shown, and group styles (colour plus shape) that stay distinguishable for many groups.
 */
import type { Core, NodeSingular, StylesheetJsonBlock } from 'cytoscape';
import { ref } from 'vue';

/** Ten colours that read apart on light and dark panels; red is left for defaults and failures. */
export const GROUP_COLOURS = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f', '#bab0ac', '#1b3a6b'];
/** Shapes cycled every ten groups, so group k and group k + 10 differ in shape as well as position in the list. */
export const GROUP_SHAPES = ['ellipse', 'rectangle', 'triangle', 'diamond', 'hexagon', 'star', 'vee', 'pentagon'] as const;

/** The colour and shape of the k-th group: 80 distinct pairs before any repeats. */
export function groupStyle(k: number): { colour: string; shape: (typeof GROUP_SHAPES)[number] } {
  return { colour: GROUP_COLOURS[k % GROUP_COLOURS.length]!, shape: GROUP_SHAPES[Math.floor(k / GROUP_COLOURS.length) % GROUP_SHAPES.length]! };
}

/** An SVG path of a group shape in a 12 × 12 box, for legends drawn in HTML. */
export function shapePath(shape: (typeof GROUP_SHAPES)[number]): string {
  const polygon = (points: Array<[number, number]>) => `M${points.map(([x, y]) => `${x},${y}`).join('L')}Z`;
  const regular = (n: number, r: number, start = -Math.PI / 2) =>
    polygon(Array.from({ length: n }, (_, i): [number, number] => [6 + r * Math.cos(start + (2 * Math.PI * i) / n), 6 + r * Math.sin(start + (2 * Math.PI * i) / n)]));
  switch (shape) {
    case 'ellipse': return 'M1,6a5,5 0 1,0 10,0a5,5 0 1,0 -10,0';
    case 'rectangle': return polygon([[1, 1], [11, 1], [11, 11], [1, 11]]);
    case 'triangle': return polygon([[6, 1], [11, 11], [1, 11]]);
    case 'diamond': return polygon([[6, 0.5], [11.5, 6], [6, 11.5], [0.5, 6]]);
    case 'hexagon': return regular(6, 5.5, 0);
    case 'star': return polygon(Array.from({ length: 10 }, (_, i): [number, number] => {
      const r = i % 2 ? 2.4 : 5.8;
      const a = -Math.PI / 2 + (Math.PI * i) / 5;
      return [6 + r * Math.cos(a), 6 + r * Math.sin(a)];
    }));
    case 'vee': return polygon([[1, 1], [6, 5], [11, 1], [6, 11]]);
    case 'pentagon': return regular(5, 5.5);
  }
}

/** Styles that fade what is not next to the selection and mark the neighbours. */
export const HIGHLIGHT_STYLES: StylesheetJsonBlock[] = [
  { selector: '.faded', style: { opacity: 0.12 } },
  { selector: 'edge.neighbour', style: { opacity: 0.95, 'line-color': '#1f5fbf', 'target-arrow-color': '#1f5fbf' } },
];

/** Fades everything but the selected nodes, their neighbours and the edges between them; clears when nothing is selected. */
export function highlightNeighbours(cy: Core): void {
  const update = () => {
    cy.batch(() => {
      cy.elements().removeClass('faded neighbour');
      const selected = cy.nodes(':selected');
      if (selected.empty()) return;
      const near = selected.closedNeighborhood();
      cy.elements().not(near).addClass('faded');
      near.edges().addClass('neighbour');
    });
  };
  cy.on('select unselect', 'node', update);
  update();
}

/** Fits the view to the elements shown (all of them when none is). */
export function fitShown(cy: Core, padding = 30): void {
  const shown = cy.elements(':visible');
  cy.fit(shown.nonempty() ? shown : undefined, padding);
}

const TIP_WIDTH = 280;

/** A tooltip beside the hovered node: `describe` gives its lines. Bind it to each new Cytoscape instance. */
export function useGraphTooltip() {
  const tip = ref<{ x: number; y: number; lines: string[] }>();
  function bind(cy: Core, describe: (node: NodeSingular) => string[]) {
    tip.value = undefined;
    cy.on('mouseover', 'node', (event) => {
      const node = event.target as NodeSingular;
      const { x, y } = node.renderedPosition();
      const lines = describe(node);
      const reach = node.renderedOuterWidth() / 2 + 8;
      // Right of the node, or left of it near the right edge; never below the bottom of the view.
      const left = x + reach + TIP_WIDTH < cy.width() ? x + reach : Math.max(0, x - reach - TIP_WIDTH);
      tip.value = { x: left, y: Math.max(0, Math.min(y + 8, cy.height() - 18 * lines.length - 16)), lines };
    });
    cy.on('mouseout', 'node', () => (tip.value = undefined));
    cy.on('viewport drag', () => (tip.value = undefined));
  }
  return { tip, bind };
}
