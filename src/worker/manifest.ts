// The model manifest lives with the encode stage (the CLI reads it too); the worker and the page
// keep importing it from here.
export * from '../pipeline/encode/manifest';
