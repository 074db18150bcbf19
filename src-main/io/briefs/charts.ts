/**
 * Brief charts: Vega-Lite specifications compiled to Vega and drawn as SVG in the main process
 * (`View.toSVG()` with no renderer, no DOM, no network). The SVG goes into the PDF as vectors and into the
 * preview and the DOCX as it is.
 */
import type { BriefChart, ChartData } from '../../../src-shared/briefs';

export const CHART_FONT = 'DejaVu Sans';
const ACCENT = '#1f5f99';

/** Compiles and renders a Vega-Lite specification to a standalone SVG chart. */
export async function renderChart(
  title: string,
  caption: string,
  spec: Record<string, unknown>,
  data?: ChartData,
): Promise<BriefChart> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vegaLite.compile({
    ...spec,
    background: 'white',
    padding: { left: 6, right: 12, top: 6, bottom: 14 },
    config: {
      font: CHART_FONT,
      axis: { labelFontSize: 9, titleFontSize: 10, titleFontWeight: 'normal', gridColor: '#e5e7eb' },
      view: { stroke: null },
    },
  } as Parameters<typeof vegaLite.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  const svg = await view.toSVG();
  view.finalize();
  const size = /<svg[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"/.exec(svg);
  return {
    title,
    caption,
    svg,
    width: Number(size?.[1] ?? 480),
    height: Number(size?.[2] ?? 240),
    ...(data ? { data } : {}),
  };
}

export interface BarDatum {
  label: string;
  value: number;
}

/** A vertical bar chart over ordered categories (histograms, counts). */
export function barChart(
  title: string,
  caption: string,
  data: BarDatum[],
  axes: { x: string; y: string; color?: string; percentY?: boolean },
): Promise<BriefChart> {
  return renderChart(
    title,
    caption,
    {
      width: 440,
      height: 190,
      data: { values: data.map((d, order) => ({ ...d, order })) },
      mark: { type: 'bar', color: axes.color ?? ACCENT },
      encoding: {
        x: {
          field: 'label',
          type: 'ordinal',
          sort: { field: 'order' },
          title: axes.x,
          axis: { labelAngle: -45, labelOverlap: 'parity' },
        },
        y: {
          field: 'value',
          type: 'quantitative',
          title: axes.y,
          ...(axes.percentY ? { axis: { format: '.1%' } } : {}),
        },
      },
    },
    {
      type: 'column',
      categories: data.map((d) => d.label),
      values: data.map((d) => d.value),
      categoryTitle: axes.x,
      valueTitle: axes.y,
      ...(axes.percentY ? { percent: true } : {}),
    },
  );
}

/** A horizontal bar chart of the largest values, biggest on top (contributions, amounts by institution). */
export function rankingChart(
  title: string,
  caption: string,
  data: BarDatum[],
  axes: { x: string; y: string; color?: string },
): Promise<BriefChart> {
  return renderChart(
    title,
    caption,
    {
      width: 400,
      height: Math.max(60, 12 * data.length),
      data: { values: data.map((d, order) => ({ ...d, order })) },
      mark: { type: 'bar', color: axes.color ?? ACCENT },
      encoding: {
        y: { field: 'label', type: 'nominal', sort: { field: 'order' }, title: axes.y },
        x: { field: 'value', type: 'quantitative', title: axes.x },
      },
    },
    {
      type: 'bar',
      categories: data.map((d) => d.label),
      values: data.map((d) => d.value),
      categoryTitle: axes.y,
      valueTitle: axes.x,
    },
  );
}

export interface IntervalPoint {
  x: number;
  mean: number;
  /** Ends of the 95% interval (equal to mean where there is none). */
  low: number;
  high: number;
  /** The line this point belongs to, where the chart draws several. */
  series?: string;
}

/** Lines over a numeric x with their 95% intervals as shaded bands (budget curves, defaults against budget). */
export function intervalChart(
  title: string,
  caption: string,
  points: IntervalPoint[],
  axes: { x: string; y: string; percentY?: boolean },
): Promise<BriefChart> {
  const several = new Set(points.map((p) => p.series ?? '')).size > 1;
  const colour = several
    ? { color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', columns: 2 } } }
    : {};
  const y = { type: 'quantitative', title: axes.y, ...(axes.percentY ? { axis: { format: '.0%' } } : {}) };
  return renderChart(title, caption, {
    width: 420,
    height: 200,
    data: { values: points.map((p) => ({ ...p, series: p.series ?? '' })) },
    encoding: { x: { field: 'x', type: 'quantitative', title: axes.x }, ...colour },
    layer: [
      {
        mark: { type: 'area', opacity: 0.2, ...(several ? {} : { color: ACCENT }) },
        encoding: { y: { field: 'low', ...y }, y2: { field: 'high' } },
      },
      {
        mark: { type: 'line', point: true, ...(several ? {} : { color: ACCENT }) },
        encoding: { y: { field: 'mean', ...y } },
      },
    ],
  });
}
