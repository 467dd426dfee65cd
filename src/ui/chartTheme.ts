// Shared look of the bar charts, matched to app.css.
export const BAR_COLOR = '#2f5bd3';
export const AXIS_COLOR = '#5b6472';
export const GRID = { left: 8, right: 16, top: 16, bottom: 8, containLabel: true } as const;
