-- The ivfflat access method as a pgvector user meets it: what it refuses
-- and with which SQLSTATE, what it indexes (NULLs and zero vectors), the
-- low-data notice, scans (NULL and zero queries, other dimensions,
-- iterative scans), the planner's choices, inserts and VACUUM checked with
-- vecsim_ivfflat_verify, and vecsim_ivfflat_lists.
SET client_min_messages = notice;

-- what CREATE INDEX refuses
CREATE TABLE ivf_errors (v vector(3), v1 vector(1), nd vector, wide bit(524288),
                         h halfvec(3), s sparsevec(3), vb varbit(3), b bit(3));
SELECT stmt, try_statement(stmt) AS outcome FROM (VALUES
  ('CREATE INDEX ON ivf_errors USING ivfflat (nd)'),
  ('CREATE INDEX ON ivf_errors USING ivfflat (wide bit_hamming_ops)'),
  ('CREATE INDEX ON ivf_errors USING ivfflat (v1 vector_ip_ops)'),
  ('CREATE INDEX ON ivf_errors USING ivfflat (v1 vector_cosine_ops)'),
  ('CREATE INDEX ON ivf_errors USING ivfflat ((v1::halfvec(1)) halfvec_cosine_ops)'),
  ('CREATE INDEX ON ivf_errors USING ivfflat (h)'),
  ('CREATE INDEX ON ivf_errors USING ivfflat (s sparsevec_l2_ops)'),
  ('CREATE INDEX ON ivf_errors USING ivfflat (v vector_l1_ops)'),
  ('CREATE INDEX ON ivf_errors USING ivfflat (b bit_jaccard_ops)'),
  ('CREATE INDEX ON ivf_errors USING ivfflat (vb bit_hamming_ops)'),
  ('CREATE INDEX ON ivf_errors USING ivfflat (v) WITH (lists = 0)'),
  ('CREATE INDEX ON ivf_errors USING ivfflat (v) WITH (lists = 32769)'),
  ('CREATE INDEX ON ivf_errors USING ivfflat (v) WITH (m = 16)'),
  ('CREATE INDEX ON ivf_errors USING ivfflat (v, h)'),
  ('CREATE UNIQUE INDEX ON ivf_errors USING ivfflat (v)'),
  ('CREATE INDEX ON ivf_errors USING ivfflat (v) INCLUDE (b)'),
  ('SET ivfflat.iterative_scan = strict_order'),
  ('SET ivfflat.probes = 0')) AS cases (stmt);
SET maintenance_work_mem = '1MB';
SELECT try_statement('CREATE INDEX ON ivf_errors USING ivfflat (v) WITH (lists = 30000)') AS too_little_memory;
RESET maintenance_work_mem;
-- the widest indexable values (beyond pgvector's 2,000, 4,000 and 64,000):
-- the types' own limits, bit as hnsw takes it (65,535 bytes)
CREATE TABLE ivf_widest (v vector(16000), h halfvec(16000), b bit(524280));
CREATE INDEX ON ivf_widest USING ivfflat (v) WITH (lists = 1);
CREATE INDEX ON ivf_widest USING ivfflat (h halfvec_l2_ops) WITH (lists = 1);
CREATE INDEX ON ivf_widest USING ivfflat (b bit_hamming_ops) WITH (lists = 1);
DROP TABLE ivf_errors, ivf_widest;

-- values wider than a page are held in chunks: 300 rows of 3,072 dims in
-- three clusters; with every list probed the index answers exactly
CREATE TABLE ivf_wide (id int, v vector(3072));
INSERT INTO ivf_wide
  SELECT i, (SELECT array_agg((i % 3) * 10 + sin(i * g)) FROM generate_series(1, 3072) g)
  FROM generate_series(1, 300) i;
CREATE INDEX ivf_wide_v ON ivf_wide USING ivfflat (v) WITH (lists = 3);
SELECT lists, entries, missing, duplicates, stale, orphan_pages FROM vecsim_ivfflat_verify('ivf_wide_v');
-- packed by the build: within 5% of the values' bytes
SELECT pg_relation_size('ivf_wide_v') < 1.05 * 303 * 3072 * 4 AS packed;
SET ivfflat.probes = 3;
CREATE FUNCTION ivf_wide_agrees(q int) RETURNS boolean LANGUAGE sql AS $$
  SELECT (SELECT array_agg(id) FROM (SELECT id FROM ivf_wide ORDER BY v <-> (SELECT v FROM ivf_wide WHERE id = q), id LIMIT 10) a)
       = (SELECT array_agg(id) FROM (SELECT id FROM ivf_wide ORDER BY (v <-> (SELECT v FROM ivf_wide WHERE id = q)) + 0, id LIMIT 10) b) $$;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM ivf_wide ORDER BY v <-> (SELECT v FROM ivf_wide WHERE id = 1) LIMIT 10;
SELECT count(*) AS queries, count(*) FILTER (WHERE ivf_wide_agrees(q)) AS agree FROM generate_series(1, 300, 37) q;
-- inserts (each value's chunks on pages of their own), deletes, vacuum
INSERT INTO ivf_wide
  SELECT i, (SELECT array_agg((i % 3) * 10 + cos(i * g)) FROM generate_series(1, 3072) g)
  FROM generate_series(301, 360) i;
DELETE FROM ivf_wide WHERE id % 4 = 0;
VACUUM ivf_wide;
SELECT lists, entries, missing, duplicates, stale FROM vecsim_ivfflat_verify('ivf_wide_v');
SELECT count(*) AS queries, count(*) FILTER (WHERE ivf_wide_agrees(q)) AS agree FROM generate_series(2, 360, 37) q;
RESET enable_seqscan;
RESET ivfflat.probes;
DROP TABLE ivf_wide;
DROP FUNCTION ivf_wide_agrees;

-- an empty table: the index is built (random centres) with the low-data
-- notice, and so is every rebuild that sees too few rows
CREATE TABLE ivf_items (id int, c int, v vector(3));
CREATE INDEX ivf_l2 ON ivf_items USING ivfflat (v vector_l2_ops) WITH (lists = 5);
SELECT * FROM ivf_items ORDER BY v <-> '[1,1,1]' LIMIT 1;
TRUNCATE ivf_items;
DROP INDEX ivf_l2;

-- 5,000 rows in 5 lists, with NULLs and zero vectors
INSERT INTO ivf_items
  SELECT i, i % 50, ARRAY[(i * 7 % 100) / 10.0, (i * 13 % 100) / 10.0, (i * 31 % 100) / 10.0]
  FROM generate_series(1, 5000) i;
INSERT INTO ivf_items VALUES (5001, 0, NULL), (5002, 0, '[0,0,0]');
CREATE INDEX ivf_l2 ON ivf_items USING ivfflat (v vector_l2_ops) WITH (lists = 5);
CREATE INDEX ivf_cos ON ivf_items USING ivfflat (v vector_cosine_ops) WITH (lists = 5);
ANALYZE ivf_items;
SELECT lists, entries, missing, duplicates, stale, orphan_pages FROM vecsim_ivfflat_verify('ivf_l2');
-- the zero vector is not in the cosine index (it has no direction)
SELECT lists, entries, missing, duplicates, stale, orphan_pages FROM vecsim_ivfflat_verify('ivf_cos');
SELECT sum(rows) AS rows, sum(build_rows) AS build_rows, count(*) AS lists,
       bool_and(mean_distance = build_mean_distance) AS unchanged
  FROM vecsim_ivfflat_lists('ivf_l2');

-- plans: the index for ORDER BY ... LIMIT; not with probes >= lists, nor
-- without an ORDER BY, nor when a selective filter means the probed lists
-- cannot fill the LIMIT (c = 7 keeps 1 row in 50: 20 of 1,000 probed rows
-- are expected to pass, so LIMIT 30 goes to an exact plan, unless an
-- iterative scan may read on); a filter that keeps most rows keeps the index
EXPLAIN (COSTS OFF) SELECT id FROM ivf_items ORDER BY v <-> '[1,2,3]' LIMIT 10;
EXPLAIN (COSTS OFF) SELECT id FROM ivf_items WHERE v <-> '[1,2,3]' < 1 ORDER BY v <-> '[1,2,3]' LIMIT 10;
EXPLAIN (COSTS OFF) SELECT id FROM ivf_items ORDER BY v <=> '[1,2,3]' LIMIT 10;
SET ivfflat.probes = 5;
EXPLAIN (COSTS OFF) SELECT id FROM ivf_items ORDER BY v <-> '[1,2,3]' LIMIT 10;
RESET ivfflat.probes;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM ivf_items WHERE v IS NOT NULL;
RESET enable_seqscan;
EXPLAIN (COSTS OFF) SELECT id FROM ivf_items WHERE c = 7 ORDER BY v <-> '[1,2,3]' LIMIT 30;
EXPLAIN (COSTS OFF) SELECT id FROM ivf_items WHERE c <> 7 ORDER BY v <-> '[1,2,3]' LIMIT 30;

-- scans: exact distance order within the probed lists; all rows with
-- probes = lists (the zero vector too under L2, never under cosine)
SET enable_seqscan = off;
SELECT bool_and(d >= lag_d) AS ordered, count(*) < 5001 AS one_list
  FROM (SELECT d, lag(d, 1, 0::float8) OVER () AS lag_d
          FROM (SELECT v <-> '[5,5,5]' AS d FROM ivf_items ORDER BY v <-> '[5,5,5]' LIMIT 5000) s) t;
SET ivfflat.probes = 5;
SELECT count(*) AS l2_rows FROM (SELECT id FROM ivf_items ORDER BY v <-> '[5,5,5]' LIMIT 6000) s;
SELECT count(*) AS cosine_rows FROM (SELECT id FROM ivf_items ORDER BY v <=> '[5,5,5]' LIMIT 6000) s;
SELECT array_agg(id) = (SELECT array_agg(id) FROM (SELECT id FROM ivf_items WHERE v IS NOT NULL
                                                     ORDER BY v <-> '[5,5,5]', id LIMIT 20) e)
       AS exact_with_all_lists
  FROM (SELECT id FROM ivf_items ORDER BY v <-> '[5,5,5]' LIMIT 20) s;
-- a NULL query (every distance counts alike) and a zero query under
-- cosine: rows, no error; a query of other dimensions: 22000
SELECT count(*) AS null_query_rows FROM (SELECT id FROM ivf_items ORDER BY v <-> (SELECT NULL::vector) LIMIT 10) s;
SELECT count(*) AS zero_cosine_rows FROM (SELECT id FROM ivf_items ORDER BY v <=> '[0,0,0]' LIMIT 10) s;
SELECT try('(SELECT id FROM ivf_items ORDER BY v <-> ''[1,2]'' LIMIT 1)') AS other_dims;
RESET ivfflat.probes;

-- iterative scans: a filter the first list cannot fill goes on to the
-- next lists (relaxed order: each list batch sorted), up to max_probes
SELECT count(*) AS off_rows FROM (SELECT id FROM ivf_items WHERE c = 7 ORDER BY v <-> '[1,2,3]' LIMIT 60) s;
SET ivfflat.iterative_scan = relaxed_order;
SELECT count(*) AS relaxed_rows FROM (SELECT id FROM ivf_items WHERE c = 7 ORDER BY v <-> '[1,2,3]' LIMIT 60) s;
SET ivfflat.max_probes = 2;
SELECT count(*) <= 50 AS capped_by_max_probes
  FROM (SELECT id FROM ivf_items WHERE c = 7 ORDER BY v <-> '[1,2,3]' LIMIT 100) s;
RESET ivfflat.max_probes;
RESET ivfflat.iterative_scan;
RESET enable_seqscan;

-- inserts (into lists by the build's centres), deletes and VACUUM: the
-- index holds every row exactly once, dead entries go, and rows like the
-- deleted ones take their space again
INSERT INTO ivf_items SELECT i, i % 50, ARRAY[i % 10, (i / 10) % 10, (i / 100) % 10] FROM generate_series(5003, 8000) i;
SELECT lists, entries, missing, duplicates, stale FROM vecsim_ivfflat_verify('ivf_l2');
CREATE TEMP TABLE ivf_size AS SELECT pg_relation_size('ivf_l2') AS before;
CREATE TEMP TABLE ivf_deleted AS SELECT * FROM ivf_items WHERE id % 2 = 0;
DELETE FROM ivf_items WHERE id % 2 = 0;
SELECT stale > 0 AS dead_entries_before_vacuum FROM vecsim_ivfflat_verify('ivf_l2');
VACUUM ivf_items;
SELECT lists, entries, missing, duplicates, stale, orphan_pages FROM vecsim_ivfflat_verify('ivf_l2');
INSERT INTO ivf_items SELECT id + 10000, c, v FROM ivf_deleted;
SELECT missing, duplicates, stale, orphan_pages FROM vecsim_ivfflat_verify('ivf_l2');
SELECT pg_relation_size('ivf_l2') <= before AS space_reused FROM ivf_size;
SELECT sum(rows) = (SELECT count(v) FROM ivf_items) AS lists_count_rows,
       sum(build_rows) AS build_rows
  FROM vecsim_ivfflat_lists('ivf_l2');
SELECT try('vecsim_ivfflat_verify(''ivf_items'')') AS not_an_index,
       try('vecsim_ivfflat_lists(''ivf_items_pkey'')') AS missing_index;

-- REINDEX, REINDEX CONCURRENTLY, an unlogged table, halfvec and bit
REINDEX INDEX ivf_l2;
REINDEX INDEX CONCURRENTLY ivf_cos;
SELECT missing, duplicates, stale FROM vecsim_ivfflat_verify('ivf_l2');
SELECT missing, duplicates, stale FROM vecsim_ivfflat_verify('ivf_cos');
CREATE UNLOGGED TABLE ivf_unlogged AS SELECT * FROM ivf_items;
CREATE INDEX ivf_unlogged_idx ON ivf_unlogged USING ivfflat ((v::halfvec(3)) halfvec_ip_ops) WITH (lists = 4);
SELECT missing, duplicates FROM vecsim_ivfflat_verify('ivf_unlogged_idx');
CREATE INDEX ivf_bits ON ivf_items USING ivfflat ((binary_quantize(v)::bit(3)) bit_hamming_ops) WITH (lists = 3);
SELECT missing, duplicates FROM vecsim_ivfflat_verify('ivf_bits');
SET enable_seqscan = off;
SET ivfflat.probes = 3;
SELECT count(*) AS bit_rows FROM (SELECT id FROM ivf_items ORDER BY binary_quantize(v)::bit(3) <~> B'101' LIMIT 10000) s;
RESET ALL;
DROP TABLE ivf_items, ivf_unlogged;
