// The profile stage: what each cluster did (profileClusters), per-user map attributes
// (userAttributes) and one user's timeline (sequenceTimeline).

export { LAST_EVENTS, userAttributes } from './attributes';
export { profileClusters, ProfileInputError, type ProfileOptions } from './profile';
export { sequenceTimeline } from './timeline';
export { tokenize, STOP_WORDS } from './tokenize';
export * from './types';
