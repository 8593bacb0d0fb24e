-- Filter columns in hnsw indexes (docs/hnsw_filtering.md): the key
-- columns after the vector hold scalar attributes, conditions on them
-- become index keys (EXPLAIN's Index Cond), and a scan hands out only
-- rows that pass them, as many as the LIMIT asks when that many pass.
-- Answers are compared with an exact scan; thresholds, not values, as
-- levels are drawn at random (filtered recall scored 1.0 in the runs
-- this test was written with: a scan walks through the rows that fail,
-- and a selective filter ends in an exact pass).
SET client_min_messages = warning;

CREATE TABLE fitems AS
  SELECT id, v::vector(16) AS v,
         CASE WHEN id % 17 = 0 THEN NULL ELSE id % 50 END AS cat,
         (id % 7)::int8 AS tenant,
         'tag' || (id % 13) AS label,
         md5((id % 5)::text)::uuid AS u,
         date '2024-01-01' + (id % 30) AS day,
         timestamptz '2024-01-01 00:00+00' + (id % 100) * interval '1 hour' AS at,
         id % 2 = 0 AS even
    FROM clustered_rows(3000, 16, 0.5);
CREATE TABLE fqueries AS SELECT id, v::vector(16) AS q FROM clustered_rows(10, 16, 0.6);
CREATE INDEX fitems_idx ON fitems USING hnsw (v vector_l2_ops, cat, tenant, label, u, day, at, even);
ANALYZE fitems;
SELECT elements, violations, unreachable, count_matches FROM vecsim_hnsw_verify('fitems_idx');

-- filtered_check(cond, k): index_answers (00_setup.sql) of fitems under
-- cond, whose plan must show index keys.
CREATE FUNCTION filtered_check(cond text, k int DEFAULT 10, OUT recall float8, OUT full_count boolean)
LANGUAGE sql AS $$
  SELECT * FROM index_answers('fitems', 'v', '<->',
                              'SELECT quote_literal(q) || ''::vector(16)'' FROM fqueries', k, cond, 'Index Cond')
$$;

-- which conditions become index keys
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM fitems WHERE cat = 3 ORDER BY v <-> '[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM fitems WHERE tenant = 3 AND cat < 10 AND label = 'tag4'
  ORDER BY v <-> '[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]' LIMIT 5;
-- an int4 constant against the int8 column: one integer family
EXPLAIN (COSTS OFF) SELECT id FROM fitems WHERE tenant = 3::int4 AND cat = 3::int8
  ORDER BY v <-> '[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]' LIMIT 5;
-- a boolean column is a key when compared with a parameter; PostgreSQL
-- turns even = true into plain even, which no index but a btree takes
SET plan_cache_mode = force_generic_plan;
PREPARE by_even(bool) AS SELECT id FROM fitems WHERE even = $1
  ORDER BY v <-> '[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]' LIMIT 5;
EXPLAIN (COSTS OFF) EXECUTE by_even(true);
DEALLOCATE by_even;
RESET plan_cache_mode;
-- IS NULL and IS NOT NULL are keys; <> and (PostgreSQL 15 plans no
-- ordered scan with array keys on a column after the first) = ANY stay
-- filters
EXPLAIN (COSTS OFF) SELECT id FROM fitems WHERE cat IS NULL AND label IS NOT NULL AND cat <> 4
  AND tenant = ANY('{1,2}') ORDER BY v <-> '[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]' LIMIT 5;
-- the vector IS NOT NULL: a key every element passes; IS NULL: the index
-- holds no such row, so the planner must not use it (a sequential scan
-- returns the rows whose vector is NULL)
EXPLAIN (COSTS OFF) SELECT id FROM fitems WHERE v IS NOT NULL ORDER BY v <-> '[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]' LIMIT 5;
INSERT INTO fitems (id, v, cat) VALUES (-1, NULL, 3);
EXPLAIN (COSTS OFF) SELECT id FROM fitems WHERE v IS NULL ORDER BY v <-> '[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]' LIMIT 5;
SELECT id FROM fitems WHERE v IS NULL ORDER BY v <-> '[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]' LIMIT 5;
DELETE FROM fitems WHERE id = -1;
RESET enable_seqscan;

-- answers against an exact scan, from 50% to 0.1% of the rows
SELECT cond, recall >= 0.95 AS recall_ok, full_count FROM (VALUES
    ('tenant < 4'), ('tenant = 3'), ('tenant = 3 AND even'), ('cat = 7'), ('cat BETWEEN 10 AND 14'), ('label = ''tag5'''),
    ('u = md5(''2'')::uuid AND NOT even'), ('day >= ''2024-01-28'''), ('at < ''2024-01-01 05:00+00'''),
    ('cat = 7 AND tenant = 3'), ('cat = 7 AND tenant = 3 AND label = ''tag0'''),
    ('cat IS NULL'), ('cat IS NULL AND tenant = 3'), ('cat IS NOT NULL AND tenant = 3'), ('v IS NOT NULL AND cat = 7')
  ) c(cond), LATERAL filtered_check(cond);
-- a LIMIT beyond ef_search still gets every row that passes
SELECT cond, recall >= 0.95 AS recall_ok, full_count FROM (VALUES ('cat = 7'), ('tenant = 3 AND even'))
  c(cond), LATERAL filtered_check(cond, 100);
-- a comparison with NULL holds for no row
SET enable_seqscan = off;
SELECT count(*) AS null_key_rows FROM (SELECT id FROM fitems WHERE cat = NULL::int
  ORDER BY v <-> '[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]' LIMIT 5) s;
RESET enable_seqscan;
-- relaxed and strict iterative scans apply the keys too
SET hnsw.iterative_scan = relaxed_order;
SELECT cond, recall >= 0.95 AS recall_ok, full_count FROM (VALUES ('cat = 7'), ('tenant = 3 AND even'))
  c(cond), LATERAL filtered_check(cond, 30);
SET hnsw.iterative_scan = strict_order;
SELECT cond, recall >= 0.90 AS recall_ok, full_count FROM (VALUES ('cat = 7'), ('tenant = 3 AND even'))
  c(cond), LATERAL filtered_check(cond, 30);
RESET hnsw.iterative_scan;

-- inserted rows carry their attributes; updates move rows between values;
-- deletes and VACUUM keep the answers exact
INSERT INTO fitems SELECT id + 3000, v::vector(16), id % 50, id % 7, 'tag' || (id % 13), md5((id % 5)::text)::uuid,
       date '2024-01-01' + (id % 30), timestamptz '2024-01-01 00:00+00', id % 2 = 0
  FROM clustered_rows(1000, 16, 0.7);
UPDATE fitems SET cat = 49 WHERE id % 10 = 1;
SELECT elements, violations, unreachable, count_matches FROM vecsim_hnsw_verify('fitems_idx');
SELECT cond, recall >= 0.95 AS recall_ok, full_count FROM (VALUES ('cat = 7'), ('cat = 49'), ('tenant = 3 AND even'))
  c(cond), LATERAL filtered_check(cond);
DELETE FROM fitems WHERE id % 3 = 0;
VACUUM fitems;
SELECT violations, unreachable, count_matches FROM vecsim_hnsw_verify('fitems_idx');
SELECT cond, recall >= 0.95 AS recall_ok, full_count FROM (VALUES ('cat = 7'), ('cat = 49'), ('tenant = 3 AND even'))
  c(cond), LATERAL filtered_check(cond);

-- an expression index with filter columns and a predicate: verify checks
-- its elements' attributes against the rows its predicate keeps
CREATE INDEX fitems_expr ON fitems USING hnsw ((v::halfvec(16)) halfvec_l2_ops, tenant, label) WHERE NOT even;
SELECT violations, unreachable, count_matches FROM vecsim_hnsw_verify('fitems_expr');
DROP INDEX fitems_expr;

-- rows of equal value share an element only with equal attributes: at
-- ef_search 1, the ten rows of one element all pass the key
CREATE TABLE ftwins (id serial, v vector(3), c int);
INSERT INTO ftwins (v, c) SELECT '[1,1,1]', i % 2 FROM generate_series(1, 40) i;
CREATE INDEX ON ftwins USING hnsw (v vector_l2_ops, c);
SET enable_seqscan = off;
SET hnsw.ef_search = 1;
SELECT count(*) AS rows, count(*) FILTER (WHERE c = 1) AS passing
  FROM (SELECT c FROM ftwins WHERE c = 1 ORDER BY v <-> '[1,1,1]' LIMIT 10) s;
RESET hnsw.ef_search;
RESET enable_seqscan;

-- the planner: keys the index applies itself never price it out (an
-- index without keys that could not fill this LIMIT would cost over
-- disable_cost, 1e10); on this small table a sequential scan and a sort
-- cost less, and the planner takes them
SET hnsw.ef_search = 40;
CREATE FUNCTION plan_cost(query text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE plan json;
BEGIN
  EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
  RETURN (plan -> 0 -> 'Plan' ->> 'Total Cost')::float8;
END $$;
SET enable_seqscan = off;
SELECT plan_cost('SELECT id FROM fitems WHERE cat = 7 ORDER BY v <-> ''[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]'' LIMIT 20')
  < 1e9 AS keyed_index_not_priced_out;
RESET enable_seqscan;
EXPLAIN (COSTS OFF) SELECT id FROM fitems WHERE cat = 7 ORDER BY v <-> '[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]' LIMIT 20;
DROP FUNCTION plan_cost(text);

-- the exact pass over values of other shapes: sparse ones (of varying
-- size) and values too wide for a page (spilled to chunks), under a key
-- selective enough (1 row in 50) to send the scans into the exact pass,
-- which finds each element's attribute block after its value
CREATE TABLE fshapes AS
  SELECT id, v::vector(2100) AS wide,
         (CASE WHEN id % 2 = 0 THEN format('{%s:1,%s:%s}/200', id % 50 + 1, id % 7 + 60, id % 3 + 1)
               ELSE format('{%s:1,%s:%s,%s:2}/200', id % 50 + 1, id % 7 + 60, id % 3 + 1, id % 90 + 100) END)::sparsevec(200) AS sp,
         id % 50 AS c
    FROM clustered_rows(600, 2100, 0.5);
CREATE INDEX fshapes_wide ON fshapes USING hnsw (wide vector_l2_ops, c);
CREATE INDEX fshapes_sp ON fshapes USING hnsw (sp sparsevec_l2_ops, c);
SELECT violations, unreachable, count_matches FROM vecsim_hnsw_verify('fshapes_wide');
SELECT violations, unreachable, count_matches FROM vecsim_hnsw_verify('fshapes_sp');
SELECT recall >= 0.95 AS wide_recall_ok, full_count FROM index_answers('fshapes', 'wide', '<->',
  'SELECT quote_literal(v::vector(2100)) || ''::vector(2100)'' FROM clustered_rows(5, 2100, 0.6)', 10, 'c = 7', 'Index Cond');
SELECT recall >= 0.95 AS sparse_recall_ok, full_count FROM index_answers('fshapes', 'sp', '<->',
  'SELECT quote_literal(format(''{%s:1,%s:2}/200'', i, i + 70)) || ''::sparsevec(200)'' FROM generate_series(1, 5) i',
  10, 'c = 7', 'Index Cond');
DROP TABLE fshapes;

-- a keyed scan without LIMIT, through many walks (a range key: no
-- postings), hands out every passing row once: under inner product with
-- components near the float limit, where a third of the rows are at a
-- NaN distance from the query (their products overflow to +inf and
-- -inf), which a walk counts as the farthest
CREATE TABLE fnan AS
  SELECT id, (CASE WHEN id % 3 = 0 THEN '[1e38,-1e38,1]'
                   ELSE format('[%s,%s,1]', (id % 17) * 0.001, (id % 5) * 0.001) END)::vector(3) AS v,
         id % 10 AS c
    FROM generate_series(1, 3000) id;
CREATE INDEX fnan_idx ON fnan USING hnsw (v vector_ip_ops, c);
SET enable_seqscan = off;
SELECT count(*) AS rows, count(DISTINCT id) AS distinct_rows,
       count(*) FILTER (WHERE v = '[1e38,-1e38,1]') AS overflowing_rows
  FROM (SELECT id, v FROM fnan WHERE c < 5 ORDER BY v <#> '[1e38,1e38,1]') s;
RESET enable_seqscan;
DROP TABLE fnan;

-- what an hnsw index cannot have
CREATE TABLE fbad (v vector(3), w vector(3), f float8, c int, t text COLLATE "C");
SELECT try_statement('CREATE INDEX ON fbad USING hnsw (v vector_l2_ops, f)');
SELECT try_statement('CREATE INDEX ON fbad USING hnsw (v vector_l2_ops, w vector_l2_ops)');
SELECT try_statement('CREATE INDEX ON fbad USING hnsw (c, v vector_l2_ops)');
SELECT try_statement('CREATE INDEX ON fbad USING hnsw (v vector_l2_ops, t)');
SELECT try_statement('CREATE INDEX ON fbad USING hnsw (v vector_l2_ops, c) INCLUDE (f)');
DROP TABLE fbad, ftwins, fitems, fqueries;
DROP FUNCTION filtered_check(text, int);
