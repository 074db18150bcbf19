/**
 * A Cytoscape graph on a container, as every graph view here draws one: the shared base style (grey edges with
 * arrows, labels under the nodes), the svg exporter registered once, and on each new instance the interactions the
 * views share (a hover tooltip, neighbour highlight on selection, the canvas following its container's size);
 * Fit brings back what is shown, and the instance is destroyed when the component unmounts. Also the group styles
 * (colour plus shape) that stay distinguishable for many groups, and the PNG / SVG export of a graph.
 */
import cytoscape, { type Core, type CytoscapeOptions, type NodeSingular, type StylesheetJsonBlock } from 'cytoscape';
import cytoscapeSvg from 'cytoscape-svg';
import { onBeforeUnmount, onMounted, ref, watch, type Ref } from 'vue';

// cytoscape-svg registers itself where a global `cytoscape` exists; register it only where it has not.
if (!cytoscape('core', 'svg')) cytoscape.use(cytoscapeSvg);

/** Ten colours that read apart on light and dark panels; red is left for defaults and failures. */
export const GROUP_COLOURS = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#b07aa1',
  '#76b7b2',
  '#edc948',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
  '#1b3a6b',
];
/** Shapes cycled every ten groups, so group k and group k + 10 differ in shape as well as position in the list. */
export const GROUP_SHAPES = [
  'ellipse',
  'rectangle',
  'triangle',
  'diamond',
  'hexagon',
  'star',
  'vee',
  'pentagon',
] as const;

/** The colour and shape of the k-th group: 80 distinct pairs before any repeats. */
export function groupStyle(k: number): { colour: string; shape: (typeof GROUP_SHAPES)[number] } {
  return {
    colour: GROUP_COLOURS[k % GROUP_COLOURS.length]!,
    shape: GROUP_SHAPES[Math.floor(k / GROUP_COLOURS.length) % GROUP_SHAPES.length]!,
  };
}

/** An SVG path of a group shape in a 12 × 12 box, for legends drawn in HTML. */
export function shapePath(shape: (typeof GROUP_SHAPES)[number]): string {
  const polygon = (points: Array<[number, number]>) => `M${points.map(([x, y]) => `${x},${y}`).join('L')}Z`;
  const regular = (n: number, r: number, start = -Math.PI / 2) =>
    polygon(
      Array.from({ length: n }, (_, i): [number, number] => [
        6 + r * Math.cos(start + (2 * Math.PI * i) / n),
        6 + r * Math.sin(start + (2 * Math.PI * i) / n),
      ]),
    );
  switch (shape) {
    case 'ellipse':
      return 'M1,6a5,5 0 1,0 10,0a5,5 0 1,0 -10,0';
    case 'rectangle':
      return polygon([
        [1, 1],
        [11, 1],
        [11, 11],
        [1, 11],
      ]);
    case 'triangle':
      return polygon([
        [6, 1],
        [11, 11],
        [1, 11],
      ]);
    case 'diamond':
      return polygon([
        [6, 0.5],
        [11.5, 6],
        [6, 11.5],
        [0.5, 6],
      ]);
    case 'hexagon':
      return regular(6, 5.5, 0);
    case 'star':
      return polygon(
        Array.from({ length: 10 }, (_, i): [number, number] => {
          const r = i % 2 ? 2.4 : 5.8;
          const a = -Math.PI / 2 + (Math.PI * i) / 5;
          return [6 + r * Math.cos(a), 6 + r * Math.sin(a)];
        }),
      );
    case 'vee':
      return polygon([
        [1, 1],
        [6, 5],
        [11, 1],
        [6, 11],
      ]);
    case 'pentagon':
      return regular(5, 5.5);
  }
}

const EDGE_GREY = '#9aa8c2';
/**
 * What every graph starts from; a view's own blocks come after and override it. Nodes: blue, labelled (`label`)
 * below in muted grey; edges: `width` wide, grey, straight, a small arrow at the target.
 */
const BASE_STYLE: StylesheetJsonBlock[] = [
  {
    selector: 'node',
    style: {
      'background-color': '#6b8fd6',
      label: 'data(label)',
      'font-size': 9,
      'text-wrap': 'wrap',
      color: '#7b8698',
      'text-valign': 'bottom',
    },
  },
  {
    selector: 'edge',
    style: {
      width: 'data(width)',
      'line-color': EDGE_GREY,
      opacity: 0.45,
      'curve-style': 'straight',
      'target-arrow-shape': 'triangle',
      'target-arrow-color': EDGE_GREY,
      'arrow-scale': 0.5,
    },
  },
];

/** Styles that fade what is not next to the selection and mark the neighbours. */
const HIGHLIGHT_STYLES: StylesheetJsonBlock[] = [
  { selector: '.faded', style: { opacity: 0.12 } },
  { selector: 'edge.neighbour', style: { opacity: 0.95, 'line-color': '#1f5fbf', 'target-arrow-color': '#1f5fbf' } },
];

/** Fades everything but the selected nodes, their neighbours and the edges between them; clears when nothing is selected. */
function highlightNeighbours(cy: Core): void {
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
function fitShown(cy: Core, padding = 30): void {
  const shown = cy.elements(':visible');
  cy.fit(shown.nonempty() ? shown : undefined, padding);
}

const TIP_WIDTH = 280;
/** What GraphTooltip.vue shows: its lines, placed at x, y within the view. */
export type GraphTip = { x: number; y: number; lines: string[] };

/** Shows `describe`'s lines beside the hovered node: right of it, or left of it near the right edge, never below the view. */
function bindTooltip(cy: Core, tip: Ref<GraphTip | undefined>, describe: (node: NodeSingular) => string[]): void {
  cy.on('mouseover', 'node', (event) => {
    const node = event.target as NodeSingular;
    const { x, y } = node.renderedPosition();
    const lines = describe(node);
    const reach = node.renderedOuterWidth() / 2 + 8;
    const left = x + reach + TIP_WIDTH < cy.width() ? x + reach : Math.max(0, x - reach - TIP_WIDTH);
    tip.value = { x: left, y: Math.max(0, Math.min(y + 8, cy.height() - 18 * lines.length - 16)), lines };
  });
  cy.on('mouseout', 'node', () => (tip.value = undefined));
  cy.on('viewport drag', () => (tip.value = undefined));
}

/** One graph: Cytoscape's options less the container; `style` comes after the base style. */
export interface GraphDrawing extends Omit<CytoscapeOptions, 'container' | 'style'> {
  style?: StylesheetJsonBlock[];
  /** The lines of a node's hover tooltip; no tooltip without it. */
  tooltip?: (node: NodeSingular) => string[];
}

export interface GraphOptions {
  /** Fade what is not next to the selected nodes (default true). */
  highlight?: boolean;
  /** The graph to show, or undefined for none; drawn on mount and again whenever `source` changes. */
  build?: () => GraphDrawing | undefined;
  source?: () => unknown;
}

/**
 * The Cytoscape graph shown in `container`. `draw` replaces it with a new instance (none without a container or a
 * drawing) and returns it; `current` is the instance shown; `fit` fits the view to what is shown; `tip` is the
 * hovered node's tooltip for GraphTooltip.vue.
 */
export function useCytoscape(container: Ref<HTMLElement | undefined>, options: GraphOptions = {}) {
  const tip = ref<GraphTip>();
  let cy: Core | undefined;
  let observer: ResizeObserver | undefined;

  function destroy() {
    observer?.disconnect();
    cy?.destroy();
    cy = undefined;
  }

  function draw(drawing = options.build?.()): Core | undefined {
    destroy();
    tip.value = undefined;
    const element = container.value;
    if (!element || !drawing) return undefined;
    const { tooltip, style = [], ...rest } = drawing;
    const highlight = options.highlight ?? true;
    const instance = cytoscape({
      ...rest,
      container: element,
      style: [...BASE_STYLE, ...style, ...(highlight ? HIGHLIGHT_STYLES : [])],
    });
    cy = instance;
    if (highlight) highlightNeighbours(instance);
    if (tooltip) bindTooltip(instance, tip, tooltip);
    // Cytoscape follows the window's size; this follows the container's when it changes on its own.
    observer ??= new ResizeObserver(() =>
      requestAnimationFrame(() => {
        if (
          cy &&
          !cy.destroyed() &&
          (cy.container()?.clientWidth !== cy.width() || cy.container()?.clientHeight !== cy.height())
        )
          cy.resize();
      }),
    );
    observer.observe(element);
    return instance;
  }

  if (options.build) {
    onMounted(() => draw());
    if (options.source) watch(options.source, () => draw(), { flush: 'post' });
  }
  onBeforeUnmount(destroy);
  return {
    tip,
    draw,
    destroy,
    current: () => cy,
    fit: () => {
      if (cy) fitShown(cy);
    },
  };
}

/** The whole graph as a PNG (base64, no data: prefix), twice its size on screen, on white. */
export function graphPng(cy: Core): string {
  return cy.png({ full: true, scale: 2, bg: '#ffffff', output: 'base64' });
}

/** The whole graph as an SVG document on white (cytoscape-svg). */
export function graphSvg(cy: Core): string {
  return (cy as unknown as { svg(o: object): string }).svg({ full: true, bg: '#ffffff' });
}
