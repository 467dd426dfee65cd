// The export stage's public surface: downloadable tables (CSV/JSON) and the saved-analysis file.
// Pure string building, no DOM or Node APIs: the analysis worker, the page and the CLI share it.
export { csvCell, csvParts, CSV_EOL, float32Number, PART_LINES, toCsv } from './csv';
export {
  ASSIGNMENT_COLUMNS,
  assignmentsCsv,
  assignmentsJson,
  type AssignmentInput,
  exportText,
  type ExportResult,
  PROFILE_COLUMNS,
  PROFILES_FORMAT,
  profilesCsv,
  profilesJson,
  RECOMMENDATION_COLUMNS,
  recommendationsCsv,
  recommendationsJson,
  type RecommendationRowsInput,
} from './tables';
export {
  checkEpsilon,
  cryptoUniform,
  laplace,
  newPseudonymSecret,
  noisyProfiles,
  type NoiseOptions,
  privateProfiles,
  PrivacyOptionError,
  privacySummary,
  type PrivacyStatement,
  PSEUDONYM_HEX,
  PSEUDONYM_PREFIX,
  PSEUDONYM_SECRET_BYTES,
  pseudonymKey,
  pseudonymLookup,
  pseudonymsOf,
  type Uniform,
} from './privacy';
export { boundContributions, type ContributionBound, DEFAULT_SESSIONS_PER_USER, narrowSequences, sequenceOwners } from './contribution';
export { type AnalysisState, parseState, serializeState, STATE_FORMAT, STATE_VERSION, StateFileError } from './state';
