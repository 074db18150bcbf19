/** A Chart.js chart on a canvas, built from the component's props and redrawn when they change. */
import { Chart, type ChartConfiguration } from 'chart.js';
import { onBeforeUnmount, onMounted, watch, type Ref } from 'vue';

/** Series colours shared by the charts. */
export const CHART_PALETTE = ['#1f5fbf', '#d97706', '#0e9f6e', '#b42318', '#7c3aed', '#0891b2', '#be185d', '#4d7c0f', '#92400e', '#334155'];

export function useChart(canvas: Ref<HTMLCanvasElement | undefined>, build: (textColor: string) => ChartConfiguration, source: () => unknown): void {
  let chart: Chart | undefined;
  function draw() {
    chart?.destroy();
    if (!canvas.value) return;
    const textColor = getComputedStyle(document.documentElement).getPropertyValue('--muted').trim() || '#5b6678';
    chart = new Chart(canvas.value, build(textColor));
  }
  onMounted(draw);
  watch(source, draw, { deep: true });
  onBeforeUnmount(() => chart?.destroy());
}
