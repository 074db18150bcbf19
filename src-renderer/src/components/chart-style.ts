/** Shared look of the Chart.js charts: the muted text colour of styles.css and titled linear axes. */
export function mutedTextColor(): string {
  return getComputedStyle(document.documentElement).getPropertyValue('--muted').trim() || '#5b6678';
}

export function titledAxes(xTitle: string, yTitle: string, color: string) {
  return {
    x: { title: { display: true, text: xTitle, color }, ticks: { color, maxRotation: 0, autoSkip: true } },
    y: { title: { display: true, text: yTitle, color }, ticks: { color } },
  };
}

export const PALETTE = ['#1f5fbf', '#d97706', '#0e9f6e', '#b42318', '#7c3aed', '#0891b2', '#be185d', '#4d7c0f', '#92400e', '#334155'];
