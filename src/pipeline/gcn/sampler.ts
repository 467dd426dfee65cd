// Training triples: every observed user-item pair (in CSR order: by user, items ascending), each
// with `negatives` items drawn uniformly from those the user never interacted with. Redrawn every
// epoch from one seeded stream, so a seed fixes the whole run.

import { hasEntry, nnz, type Csr } from '../graph/csr';
import type { GcnRandom } from './random';

/** Draws per triple before giving up on finding an item the user has not touched. */
const MAX_DRAWS = 32;

export class TripleSampler {
  readonly count: number;
  readonly pu: Int32Array;
  readonly pi: Int32Array;
  readonly pj: Int32Array;

  /** links: users x items; node ids are user for users and users + item for items. */
  constructor(
    private readonly links: Csr,
    negatives: number,
  ) {
    const pairs = nnz(links);
    this.count = pairs * negatives;
    this.pu = new Int32Array(this.count);
    this.pi = new Int32Array(this.count);
    this.pj = new Int32Array(this.count);
    const users = links.rows;
    let p = 0;
    for (let u = 0; u < users; u++) {
      for (let k = links.rowPtr[u]; k < links.rowPtr[u + 1]; k++) {
        for (let s = 0; s < negatives; s++) {
          this.pu[p] = u;
          this.pi[p] = users + links.colIdx[k];
          p++;
        }
      }
    }
  }

  /** Fresh negatives for every triple. */
  resample(rng: GcnRandom): void {
    const items = this.links.cols;
    const users = this.links.rows;
    for (let p = 0; p < this.count; p++) {
      const u = this.pu[p];
      let j = rng.int(items);
      for (let draw = 1; draw < MAX_DRAWS && hasEntry(this.links, u, j); draw++) j = rng.int(items);
      this.pj[p] = users + j;
    }
  }
}
