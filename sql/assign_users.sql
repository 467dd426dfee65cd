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
-- Standard SQL (CTEs, window functions, POWER, SQRT, MOD): tested in DuckDB; written for Spark SQL too
-- (docs/sql.md lists what differs there and how to run it).

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

-- Numbers for the text ids: every later step groups and joins on integers, which engines hash
-- faster than strings. BIGINT, since
-- Spark's ROW_NUMBER is a 32-bit INT and uid * dims below would overflow it past 33M customers.
user_ids AS (
  SELECT user_id, CAST(ROW_NUMBER() OVER (ORDER BY user_id) AS BIGINT) AS uid
  FROM (SELECT DISTINCT user_id FROM events WHERE user_id IS NOT NULL) u
),

item_ids AS (
  SELECT item_id, CAST(ROW_NUMBER() OVER (ORDER BY item_id) AS BIGINT) AS iid
  FROM (SELECT DISTINCT item_id FROM item_vectors) i
),

vectors AS (
  SELECT ii.iid, v.dim, CAST(v.value AS DOUBLE) AS value
  FROM item_vectors v
  JOIN item_ids ii ON ii.item_id = v.item_id
),

-- Dimensions and clusters as counts, to pack (customer, dimension) and (customer, cluster) into one
-- integer key below.
sizes AS (
  SELECT
    (SELECT MAX(dim) + 1 FROM item_vectors) AS dims,
    (SELECT MAX(cluster) + 1 FROM centroids) AS clusters
),

-- Each customer's "now" is their own latest event (of any item, known or not): recent events weigh
-- more, and old and new customers are compared alike. Items without a vector keep a NULL iid: their
-- events still count in the customer's "now" and weight total, as in the app.
user_events AS (
  SELECT u.uid, ii.iid, e.event_type, e.ts, MAX(e.ts) OVER (PARTITION BY u.uid) AS now_ts
  FROM events e
  JOIN user_ids u ON u.user_id = e.user_id
  LEFT JOIN item_ids ii ON ii.item_id = e.item_id
),

-- An event's weight: its type's weight times 0.5^(age / half-life). Ages are cast to DOUBLE before
-- dividing (integer division in some engines). An event without a time, or at the latest time, or
-- with decay off, weighs its type's weight alone (CASE, so that POWER never sees a NULL or a 0/0).
weighted AS (
  SELECT
    ue.uid,
    ue.iid,
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
  SELECT uid, iid, SUM(w) AS w, SUM(ABS(w)) AS abs_w
  FROM weighted
  GROUP BY uid, iid
),

-- Sum of |weight| over all of a customer's events (items with or without a vector).
totals AS (
  SELECT uid, SUM(abs_w) AS total
  FROM pairs
  GROUP BY uid
),

-- The weighted sum of item vectors, one row per customer and dimension: the costly step (one row
-- per (customer, item) pair and dimension goes into the sum), so grouped on one packed integer key
-- uid * dims + dim (DuckDB aggregates one integer key faster than two columns). The inner join
-- leaves out items without a vector.
pooled_by_key AS (
  SELECT pr.uid * s.dims + v.dim AS k, SUM(pr.w * v.value) AS x
  FROM pairs pr
  JOIN vectors v ON v.iid = pr.iid
  CROSS JOIN sizes s
  WHERE pr.w <> 0
  GROUP BY pr.uid * s.dims + v.dim
),

-- The key unpacked. MOD and an exact division cast back, not `/` or DIV: `/` on integers divides
-- to an integer in some engines and to a DOUBLE in others (DuckDB, Spark), DIV is not everywhere.
pooled AS (
  SELECT CAST((p.k - MOD(p.k, s.dims)) / s.dims AS BIGINT) AS uid, MOD(p.k, s.dims) AS dim, p.x
  FROM pooled_by_key p
  CROSS JOIN sizes s
),

norms AS (
  SELECT uid, SQRT(SUM(x * x)) AS norm
  FROM pooled
  GROUP BY uid
),

-- Unit length (the weighted mean's direction: dividing by the weights' sum would change nothing
-- here). A length below a millionth of the weights is what cancelling weights leave behind in
-- floating point, not a direction: such customers are dropped, as in the app.
unit AS (
  SELECT pl.uid, pl.dim, pl.x / n.norm AS x
  FROM pooled pl
  JOIN norms n ON n.uid = pl.uid
  JOIN totals t ON t.uid = pl.uid
  WHERE n.norm > 1e-6 * t.total
),

-- Squared distance as |x|^2 - 2 x.c + |c|^2: the dot products only need the dimensions a
-- customer has (item vectors may be sparse), and every centre is still compared (below).
user_sq AS (
  SELECT uid, SUM(x * x) AS xx
  FROM unit
  GROUP BY uid
),

centre_sq AS (
  SELECT cluster, SUM(CAST(value AS DOUBLE) * CAST(value AS DOUBLE)) AS cc
  FROM centroids
  GROUP BY cluster
),

-- Dot products per (customer, cluster), on a packed key again (uid * clusters + cluster).
dots_by_key AS (
  SELECT u.uid * s.clusters + c.cluster AS k, SUM(u.x * CAST(c.value AS DOUBLE)) AS xc
  FROM unit u
  JOIN centroids c ON c.dim = u.dim
  CROSS JOIN sizes s
  GROUP BY u.uid * s.clusters + c.cluster
),

-- Every customer against every centre (a centre sharing no dimension with a customer has no dots
-- row: its dot product is 0).
distances AS (
  SELECT us.uid, cs.cluster, us.xx - 2 * COALESCE(d.xc, CAST(0 AS DOUBLE)) + cs.cc AS d2
  FROM user_sq us
  CROSS JOIN centre_sq cs
  CROSS JOIN sizes s
  LEFT JOIN dots_by_key d ON d.k = us.uid * s.clusters + cs.cluster
),

-- The nearest centre; on an exact tie the lowest cluster number. ROW_NUMBER, not QUALIFY or
-- DISTINCT ON, since those are not in every engine.
ranked AS (
  SELECT uid, cluster, d2, ROW_NUMBER() OVER (PARTITION BY uid ORDER BY d2, cluster) AS rn
  FROM distances
)

SELECT
  u.user_id,
  r.cluster,
  -- Rounding can leave a tiny negative d2 for a customer sitting on a centre.
  CASE WHEN r.d2 > 0 THEN SQRT(r.d2) ELSE CAST(0 AS DOUBLE) END AS distance
FROM ranked r
JOIN user_ids u ON u.uid = r.uid
WHERE r.rn = 1
ORDER BY u.user_id
