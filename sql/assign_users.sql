-- SeqLens: assign customers to saved segments in SQL, for logs far beyond a browser.
--
-- The item-vector approximation of the app's assignment: each customer is the weighted sum of the
-- vectors of the items of all their events (weights by event type and recency, as the app's),
-- scaled to unit length, and goes to the nearest of k centroids that SeqLens computed in that same
-- space from the segments of the full model (src/pipeline/model/approx.ts does exactly these steps;
-- a test runs this file in DuckDB and checks it gives the same cluster for every customer).
-- It is an approximation of the full model (the behaviour BERT reads the order of events, this does
-- not): docs/sql.md says how often the two agree.
--
-- Input, long format (`analyze LOG --out DIR` writes the last three under DIR/sql/):
--   events(user_id, item_id, event_type, ts)  your log; event_type is SeqLens's name of the type
--                                             (view, click, cart, purchase, return, or your own);
--                                             ts in milliseconds since 1970 (a number; NULL = unknown)
--   item_vectors(item_id, dim, value)         one row per item and dimension (zeros may be left out)
--   centroids(cluster, dim, value)            one row per cluster and dimension
--   event_weights(event_type, weight)         with a row 'other' for types without their own
-- Output: one row per customer with a vector: (user_id, cluster, distance), ordered by user_id.
-- Customers whose events have no item with a vector, or whose weights cancel out (everything they
-- bought was returned), get no row: the app puts such customers in no segment either.
--
-- Standard SQL (CTEs, window functions, POWER, SQRT); runs as is in DuckDB and Spark SQL (docs/sql.md).

WITH
-- The recency half-life in days (the app's default 30; 0 = no decay). `--out` writes this file
-- with the model's own value here.
params AS (
  SELECT CAST(30 AS DOUBLE) AS half_life_days
),

-- Types without a weight row take the weight of 'other', as in the app (0 if there is no such row).
other_weight AS (
  SELECT COALESCE(MAX(CASE WHEN event_type = 'other' THEN CAST(weight AS DOUBLE) END), CAST(0 AS DOUBLE)) AS weight
  FROM event_weights
),

-- Each customer's "now" is their own latest event (of any item): recent events weigh more, and old
-- and new customers are compared alike. A window, not a join with a GROUP BY, keeps it one pass.
user_events AS (
  SELECT user_id, item_id, event_type, ts, MAX(ts) OVER (PARTITION BY user_id) AS now_ts
  FROM events
  WHERE user_id IS NOT NULL
),

-- An event's weight: its type's weight times 0.5^(age / half-life). Ages are cast to DOUBLE before
-- dividing (integer division in some engines). An event without a time, or at the latest time, or
-- with decay off, weighs its type's weight alone (CASE, so that POWER never sees a NULL or a 0/0).
weighted AS (
  SELECT
    ue.user_id,
    ue.item_id,
    COALESCE(CAST(w.weight AS DOUBLE), o.weight)
      * CASE
          WHEN p.half_life_days > 0 AND ue.ts < ue.now_ts
            THEN POWER(CAST(0.5 AS DOUBLE), CAST(ue.now_ts - ue.ts AS DOUBLE) / (p.half_life_days * CAST(86400000 AS DOUBLE)))
          ELSE CAST(1 AS DOUBLE)
        END AS w
  FROM user_events ue
  CROSS JOIN params p
  CROSS JOIN other_weight o
  LEFT JOIN event_weights w ON w.event_type = ue.event_type
),

-- One row per customer and item: the event weights summed first, so that the join with the item's
-- d vector rows below runs once per (customer, item) pair instead of once per event. abs_w keeps
-- the sum of the absolute event weights, which the cancellation test needs.
pairs AS (
  SELECT user_id, item_id, SUM(w) AS w, SUM(ABS(w)) AS abs_w
  FROM weighted
  GROUP BY user_id, item_id
),

-- Sum of |weight| over all of a customer's events (items with or without a vector).
totals AS (
  SELECT user_id, SUM(abs_w) AS total
  FROM pairs
  GROUP BY user_id
),

-- The weighted sum of item vectors, one row per customer and dimension. The inner join leaves out
-- items without a vector (and events without an item).
pooled AS (
  SELECT pr.user_id, v.dim, SUM(pr.w * CAST(v.value AS DOUBLE)) AS x
  FROM pairs pr
  JOIN item_vectors v ON v.item_id = pr.item_id
  WHERE pr.w <> 0
  GROUP BY pr.user_id, v.dim
),

norms AS (
  SELECT user_id, SQRT(SUM(x * x)) AS norm
  FROM pooled
  GROUP BY user_id
),

-- Unit length (the weighted mean's direction: dividing by the weights' sum would change nothing
-- here). A length below a millionth of the weights is what cancelling weights leave behind in
-- floating point, not a direction: such customers are dropped, as in the app.
unit AS (
  SELECT pl.user_id, pl.dim, pl.x / n.norm AS x
  FROM pooled pl
  JOIN norms n ON n.user_id = pl.user_id
  JOIN totals t ON t.user_id = pl.user_id
  WHERE n.norm > 1e-6 * t.total
),

-- Squared distance as |x|^2 - 2 x.c + |c|^2: the dot products only need the dimensions a
-- customer has (item vectors may be sparse), and every centre is still compared (below).
user_sq AS (
  SELECT user_id, SUM(x * x) AS xx
  FROM unit
  GROUP BY user_id
),

centre_sq AS (
  SELECT cluster, SUM(CAST(value AS DOUBLE) * CAST(value AS DOUBLE)) AS cc
  FROM centroids
  GROUP BY cluster
),

dots AS (
  SELECT u.user_id, c.cluster, SUM(u.x * CAST(c.value AS DOUBLE)) AS xc
  FROM unit u
  JOIN centroids c ON c.dim = u.dim
  GROUP BY u.user_id, c.cluster
),

-- Every customer against every centre (a centre sharing no dimension with a customer has no dots
-- row: its dot product is 0).
distances AS (
  SELECT us.user_id, cs.cluster, us.xx - 2 * COALESCE(d.xc, CAST(0 AS DOUBLE)) + cs.cc AS d2
  FROM user_sq us
  CROSS JOIN centre_sq cs
  LEFT JOIN dots d ON d.user_id = us.user_id AND d.cluster = cs.cluster
),

-- The nearest centre; on an exact tie the lowest cluster number. ROW_NUMBER, not QUALIFY or
-- DISTINCT ON, since those are not in every engine.
ranked AS (
  SELECT user_id, cluster, d2, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY d2, cluster) AS rn
  FROM distances
)

SELECT
  user_id,
  cluster,
  -- Rounding can leave a tiny negative d2 for a customer sitting on a centre.
  CASE WHEN d2 > 0 THEN SQRT(d2) ELSE CAST(0 AS DOUBLE) END AS distance
FROM ranked
WHERE rn = 1
ORDER BY user_id
