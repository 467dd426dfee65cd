// Shapes of the recommendation stage: per cluster a ranked list of items, per user that list minus
// what the user already has. Typed arrays inside; the worker turns them into readable rows.

export interface RankedItems {
  /** Indices into table.items, best first. */
  items: Int32Array;
  /** Score of each, same order (higher is better; comparable within one list only). */
  scores: Float64Array;
  /**
   * Per-user lists only: how many items at the end came from the overall popularity ranking
   * because the cluster's list ran out (their scores are scaled below the last cluster score).
   */
  filled?: number;
}

export interface ClusterRecommendations {
  k: number;
  /** 'gcn+behaviour' when GCN item vectors were given, else 'behaviour'. */
  method: 'gcn+behaviour' | 'behaviour';
  /** Length of each cluster's list (longer than shown, so per-user lists can drop owned items). */
  perCluster: number;
  clusters: RankedItems[];
  /** Weight of the GCN part in the score (0 = behaviour only); 0 when method is 'behaviour'. */
  blend: number;
  /**
   * Overall ranking by weighted distinct users, perCluster + (the most distinct items any sequence
   * has) long, so a per-user list of up to perCluster items can always be filled from it.
   */
  popular: RankedItems;
}
