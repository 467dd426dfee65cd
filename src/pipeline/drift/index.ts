export { computeDrift, driftCluster, MAX_DRIFT_ITEM_IDS } from './drift';
export { driftJson, transitionsCsv } from './exports';
export type { DriftReport, DriftSide } from './types';
