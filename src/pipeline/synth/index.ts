// Seeded synthetic behaviour logs with planted shopper segments: for benchmarks, tests and for
// scoring clustering (ARI) against known labels.

export { generateLog, resolveParams, SYNTH_FORMAT_VERSION, DEFAULT_SYNTH_PARAMS, EVENT_TYPES, VIEW, CART, PURCHASE } from './generate';
export type { SynthLog, SynthParams, ResolvedSynthParams } from './generate';
export type { Catalog } from './catalog';
export { PRODUCT_ID_BASE } from './catalog';
export type { Persona, PriceBand } from './personas';
export { MAX_CATEGORIES, TAXONOMY, type CategorySpec } from './taxonomy';
export { csvChunks, csvStream, csvField, formatEventTime, REES46_HEADER, type CsvOptions } from './csv';
export { exportCsvChunks, categoryMissing, EXPORT_HEADER, DEFAULT_MISSING_CATEGORY, type ExportCsvOptions } from './exportCsv';
export { USER_ID_BASE, userIdOf, userIndexOf, sessionIdOf } from './ids';
export { plantedUserLabels, plantedSessionLabels, segmentSizes } from './labels';
export { Random } from '../numeric/sfc32';
export {
  generateBehaviourLog,
  resolveBehaviourParams,
  schedule,
  userStream,
  behaviourSpanDays,
  DEFAULT_BEHAVIOUR_PARAMS,
  BEHAVIOUR_FORMAT_VERSION,
} from './behaviour';
export type { BehaviourLog, BehaviourParams, ResolvedBehaviourParams, BehaviourSegment } from './behaviour';
export {
  BEHAVIOUR_KINDS,
  BEHAVIOUR_EVENT_TYPES,
  BEHAVIOUR_DESCRIPTIONS,
  ORDER_ONLY_PAIRS,
  B_VIEW,
  B_CART,
  B_PURCHASE,
  B_RETURN,
  type BehaviourKind,
} from './behaviourSegments';
export { behaviourCsvChunks, behaviourCsvStream, behaviourLabelsCsv, BEHAVIOUR_LABELS_HEADER } from './behaviourCsv';
export type { LabelledLog } from './labels';
