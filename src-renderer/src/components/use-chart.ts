/** A Chart.js chart on a canvas, built from the component's props and redrawn when they change. */
import {
  BasicPlatform,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartConfiguration,
  type Plugin,
} from 'chart.js';
import { Element as SvgCanvas } from 'svgcanvas';
import { onBeforeUnmount, onMounted, watch, type Ref } from 'vue';
import { scientific } from '../../../src-shared/format/numbers';

// Every controller, element and scale the charts here use, registered once: a chart that asks for a scale no
// component happened to register (a log y axis on a bar chart) would otherwise fail to draw.
Chart.register(
  BarController,
  BarElement,
  LineController,
  ScatterController,
  LineElement,
  PointElement,
  CategoryScale,
  LinearScale,
  LogarithmicScale,
  Tooltip,
  Legend,
);

/** Series colours shared by the charts. */
export const CHART_PALETTE = [
  '#1f5fbf',
  '#d97706',
  '#0e9f6e',
  '#b42318',
  '#7c3aed',
  '#0891b2',
  '#be185d',
  '#4d7c0f',
  '#92400e',
  '#334155',
];

/**
 * A tick of a numeric axis: en-US thousands separators (whatever the machine's locale) and three significant digits,
 * powers of ten below 0.001 ("2.0 × 10⁻⁴").
 */
export function tickNumber(value: number): string {
  if (value === 0) return '0';
  if (Math.abs(value) < 1e-3) return scientific(value, 2);
  return value.toLocaleString('en-US', { maximumSignificantDigits: 3 });
}

/**
 * A log-axis tick label with two significant digits (ticks within one decade, 0.6, 0.7, 0.8, read apart), or none
 * where labels would crowd (Chart.js puts a tick at every 1…9 × 10ᵏ): over more than 0.7 decades only 1, 2 and 5
 * are labelled, over more than 2.5 only 1 and 3, beyond 4.5 only the powers of ten.
 */
export function logTick(value: string | number, _index?: number, ticks: Array<{ value: number }> = []): string {
  const v = Number(value);
  const positive = ticks.map((tick) => tick.value).filter((x) => x > 0);
  const decades = positive.length > 1 ? Math.log10(Math.max(...positive) / Math.min(...positive)) : 0;
  const mantissa = Math.round(v / 10 ** Math.floor(Math.log10(v) + 1e-9));
  const labelled = decades <= 0.7 ? null : decades <= 2.5 ? [1, 2, 5] : decades <= 4.5 ? [1, 3] : [1];
  if (labelled && !labelled.includes(mantissa)) return '';
  return v >= 1e-3 && v < 1e5 ? String(Number(v.toPrecision(2))) : scientific(v, 2);
}

/**
 * An axis titled `text`, its title and ticks in the muted text colour; `ticks` adds tick options. Numeric ticks
 * read as `tickNumber` writes them (not Chart.js's "3.0000000E-6"); category labels are left as they are.
 */
export function titledAxis(text: string, color: string, ticks: object = {}) {
  return {
    title: { display: true, text, color },
    ticks: {
      color,
      callback(this: { getLabelForValue(v: number): string; type?: string }, value: string | number) {
        return typeof value === 'number' && this.type !== 'category'
          ? tickNumber(value)
          : this.getLabelForValue(Number(value));
      },
      ...ticks,
    },
  };
}

/** Writes the plot area (CSS pixels) on the canvas, so tests can look inside it for what was drawn. */
const plotArea: Plugin = {
  id: 'plotArea',
  afterRender(chart) {
    const { left, top, right, bottom } = chart.chartArea;
    chart.canvas.dataset.plotArea = [left, top, right, bottom].map((v) => Math.round(v)).join(',');
  },
};

/**
 * Draws the chart `build` describes, with the options every chart here shares (no animation, filling its
 * container), and draws it again when `source` changes. Returns the chart being shown (for export).
 */
export function useChart(
  canvas: Ref<HTMLCanvasElement | undefined>,
  build: (textColor: string) => ChartConfiguration,
  source: () => unknown,
): () => Chart | undefined {
  let chart: Chart | undefined;
  function draw() {
    chart?.destroy();
    chart = undefined;
    if (!canvas.value) return;
    // A chart whose construction failed part way stays attached to its canvas; release it before drawing again.
    Chart.getChart(canvas.value)?.destroy();
    const textColor = getComputedStyle(document.documentElement).getPropertyValue('--muted').trim() || '#5b6678';
    const config = build(textColor);
    // The top padding keeps the legend clear of the PNG / SVG buttons in the corner.
    config.options = {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      layout: { padding: { top: 22 } },
      ...config.options,
    };
    config.plugins = [...(config.plugins ?? []), plotArea];
    chart = new Chart(canvas.value, config);
  }
  onMounted(draw);
  watch(source, draw, { deep: true });
  onBeforeUnmount(() => {
    chart?.destroy();
    chart = undefined;
  });
  return () => chart;
}

/** Paints the whole chart white first, so an exported picture reads on any viewer. */
const whiteBackground: Plugin = {
  id: 'whiteBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

/** The chart as a PNG (base64, no data: prefix), twice its size on screen, on white. */
export function chartPng(chart: Chart): string {
  const canvas = document.createElement('canvas');
  canvas.width = chart.canvas.width * 2;
  canvas.height = chart.canvas.height * 2;
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(chart.canvas, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL('image/png').split(',')[1]!;
}

/**
 * The chart as an SVG document: the same configuration drawn again, at the size shown, on an SVG-backed 2-D
 * context (svgcanvas), so lines, bars and text stay vectors.
 */
export function chartSvg(chart: Chart): string {
  const target = new SvgCanvas({ width: chart.width, height: chart.height });
  const context = target.getContext('2d');
  const { type, data, options } = chart.config as ChartConfiguration;
  const plugins = (chart.config.plugins ?? []).filter((p) => p.id !== 'plotArea');
  const copy = new Chart(target as unknown as HTMLCanvasElement, {
    type,
    data,
    options: { ...options, responsive: false, animation: false, devicePixelRatio: 1 },
    plugins: [...plugins, whiteBackground],
    platform: BasicPlatform,
  });
  const svg = context.getSerializedSvg(true);
  copy.destroy();
  return svg;
}
