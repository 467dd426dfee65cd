// The profile stage: what each cluster did (profileClusters), per-user map attributes
// (userAttributes) and one user's timeline (sequenceTimeline).

export { LAST_EVENTS, userAttributes } from './attributes';
export { profileClusters, profileTooLittleHistory, ProfileInputError, type ProfileOptions } from './profile';
export { TOO_LITTLE_HISTORY_CLUSTER, TOO_LITTLE_HISTORY_LABEL } from './label';
export { sequenceTimeline } from './timeline';
export { tokenize, STOP_WORDS } from './tokenize';
export * from './types';
