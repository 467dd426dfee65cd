// Numbers the worker, the CLI and the page share about what the runner hands out, defined once.
import { DEFAULT_PER_CLUSTER, DEFAULT_PER_USER } from '../recommend';

/**
 * Items per user list (new and again): the drawer, the recommendations export and the CLI's
 * `--top` default. The recommend stage's own default, under the name the callers know.
 */
export const PER_USER = DEFAULT_PER_USER;
/** Recommendations kept per cluster: enough that a user's list survives removing what they have. */
export const PER_CLUSTER = DEFAULT_PER_CLUSTER;
/** Events of one user's timeline sent to the page. */
export const TIMELINE_LIMIT = 500;
/** Neighbours of the map's trustworthiness: UMAP's neighbourhood size (defined for fewer than n/2). */
export const TRUST_K = 15;

/**
 * How sequences become vectors: 'seqbert', the behaviour BERT trained on the log (item features
 * from the text encoder); 'text', the text encoder's weighted mean of item vectors (the installed
 * sentence encoder, or the featuriser when none is); 'featurizer', the same with the built-in
 * featuriser forced. The encoder kind the page and the CLI get when they name none: the behaviour
 * BERT, whose vectors are then clustered and mapped whether or not the graph network trains on them
 * (runner.clusterInput; the GCN's vectors rank each cluster's recommended items).
 */
export type EncoderKind = 'seqbert' | 'text' | 'featurizer';
export const DEFAULT_ENCODER_KIND: EncoderKind = 'seqbert';
