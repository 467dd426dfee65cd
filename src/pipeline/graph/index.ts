// The graph stage's public surface: the behaviour graph as normalised CSR, and the CSR helpers.
export { buildGraph, normalizeSymmetric, type Graph, type GraphEvents, type GraphSequences } from './build';
export { cooToCsr, csrToDense, hasEntry, nnz, transposeCsr, type Csr } from './csr';
export { CooBuffer } from './coo';
export { DEFAULT_GRAPH_OPTIONS, GraphOptionsError, resolveGraphOptions, type GraphOptions } from './options';
