/** A Chart.js chart on a canvas, built from the component's props and redrawn when they change. */
import { Chart, type ChartConfiguration } from 'chart.js';
import { onBeforeUnmount, onMounted, watch, type Ref } from 'vue';

/** Series colours shared by the charts. */
export const CHART_PALETTE = ['#1f5fbf', '#d97706', '#0e9f6e', '#b42318', '#7c3aed', '#0891b2', '#be185d', '#4d7c0f', '#92400e', '#334155'];

/** An axis titled `text`, its title and ticks in the muted text colour; `ticks` adds tick options. */
export function titledAxis(text: string, color: string, ticks: object = {}) {
  return { title: { display: true, text, color }, ticks: { color, ...ticks } };
}

/**
 * Draws the chart `build` describes, with the options every chart here shares (no animation, filling its
 * container), and draws it again when `source` changes.
 */
export function useChart(canvas: Ref<HTMLCanvasElement | undefined>, build: (textColor: string) => ChartConfiguration, source: () => unknown): void {
  let chart: Chart | undefined;
  function draw() {
    chart?.destroy();
    if (!canvas.value) return;
    const textColor = getComputedStyle(document.documentElement).getPropertyValue('--muted').trim() || '#5b6678';
    const config = build(textColor);
    config.options = { animation: false, responsive: true, maintainAspectRatio: false, ...config.options };
    chart = new Chart(canvas.value, config);
  }
  onMounted(draw);
  watch(source, draw, { deep: true });
  onBeforeUnmount(() => chart?.destroy());
}
