// Shared look of the bar charts, matched to app.css.
export const BAR_COLOR = '#2f5bd3';
export const AXIS_COLOR = '#5b6472';
export const GRID = { left: 8, right: 16, top: 16, bottom: 8, containLabel: true } as const;

/** Marks on the K charts: the suggested K, the inertia elbow, the K on screen. */
export const SUGGESTED_COLOR = '#1b7a3e';
export const ELBOW_COLOR = '#b25d00';
export const CHOSEN_COLOR = '#2f5bd3';

// Cluster colours: Tableau 10, then its lighter companions; beyond 20, evenly spaced hues.
const CLUSTER_PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
  '#a0cbe8',
  '#ffbe7d',
  '#ff9d9a',
  '#86bcb6',
  '#8cd17d',
  '#f1ce63',
  '#d4a6c8',
  '#fabfd2',
  '#d7b5a6',
  '#79706e',
];

/** The colour of cluster i, the same in every chart and table. */
export function clusterColor(i: number): string {
  if (i < CLUSTER_PALETTE.length) return CLUSTER_PALETTE[i];
  return `hsl(${Math.round((i * 137.508) % 360)} 55% 55%)`;
}
