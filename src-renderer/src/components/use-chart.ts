/** A Chart.js chart on a canvas, built from the component's props and redrawn when they change. */
import {
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
import { onBeforeUnmount, onMounted, watch, type Ref } from 'vue';

// Every controller, element and scale the charts here use, registered once: a chart that asks for a scale no
// component happened to register (a log y axis on a bar chart) would otherwise fail to draw.
Chart.register(BarController, BarElement, LineController, ScatterController, LineElement, PointElement, CategoryScale, LinearScale, LogarithmicScale, Tooltip, Legend);

/** Series colours shared by the charts. */
export const CHART_PALETTE = ['#1f5fbf', '#d97706', '#0e9f6e', '#b42318', '#7c3aed', '#0891b2', '#be185d', '#4d7c0f', '#92400e', '#334155'];

/** An axis titled `text`, its title and ticks in the muted text colour; `ticks` adds tick options. */
export function titledAxis(text: string, color: string, ticks: object = {}) {
  return { title: { display: true, text, color }, ticks: { color, ...ticks } };
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
export function useChart(canvas: Ref<HTMLCanvasElement | undefined>, build: (textColor: string) => ChartConfiguration, source: () => unknown): () => Chart | undefined {
  let chart: Chart | undefined;
  function draw() {
    chart?.destroy();
    chart = undefined;
    if (!canvas.value) return;
    // A chart whose construction failed part way stays attached to its canvas; release it before drawing again.
    Chart.getChart(canvas.value)?.destroy();
    const textColor = getComputedStyle(document.documentElement).getPropertyValue('--muted').trim() || '#5b6678';
    const config = build(textColor);
    config.options = { animation: false, responsive: true, maintainAspectRatio: false, ...config.options };
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
