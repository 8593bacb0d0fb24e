-- The hnsw access method's rules (docs/reference.md 7): options and their errors,
-- dimension limits, what is not indexed, expression and partial indexes,
-- query shapes the planner sends to the index, NULL and mismatched
-- queries, iterative scans, unlogged tables, and the verify function.
\set VERBOSITY terse

-- options and opclasses
CREATE TABLE t (id int, v vector(3), h halfvec(3), s sparsevec(3), b bit(3), vb varbit(3), nd vector);
SELECT try_statement('CREATE INDEX ON t USING hnsw (v)');
SELECT try_statement('CREATE INDEX ON t USING hnsw (v vector_l2_ops) WITH (m = 1)');
SELECT try_statement('CREATE INDEX ON t USING hnsw (v vector_l2_ops) WITH (m = 101)');
SELECT try_statement('CREATE INDEX ON t USING hnsw (v vector_l2_ops) WITH (ef_construction = 3)');
SELECT try_statement('CREATE INDEX ON t USING hnsw (v vector_l2_ops) WITH (ef_construction = 1001)');
SELECT try_statement('CREATE INDEX ON t USING hnsw (v vector_l2_ops) WITH (m = 40, ef_construction = 79)');
SELECT try_statement('CREATE INDEX ON t USING hnsw (v vector_l2_ops) WITH (lists = 10)');
SELECT try_statement('CREATE INDEX ON t USING hnsw (v sparsevec_l2_ops)');
SELECT try_statement('CREATE INDEX ON t USING hnsw (v vector_l2_ops, h halfvec_l2_ops)');
SELECT try_statement('CREATE UNIQUE INDEX ON t USING hnsw (v vector_l2_ops)');
SELECT try_statement('CREATE INDEX ON t USING hnsw (v vector_l2_ops) INCLUDE (id)');
SELECT try_statement('CREATE INDEX ON t USING hnsw (nd vector_l2_ops)');
SELECT try_statement('CREATE INDEX ON t USING hnsw (vb bit_hamming_ops)');
CREATE INDEX t_v ON t USING hnsw (v vector_l2_ops) WITH (m = 40, ef_construction = 80);
ALTER INDEX t_v SET (ef_construction = 40);
SELECT try_statement('ALTER INDEX t_v SET (m = 0)');
SELECT reloptions FROM pg_class WHERE relname = 't_v';
DROP INDEX t_v;

-- dimension limits: a value wider than a page spills into chunk items, so
-- vector and halfvec index every width their types allow (16,000), at any
-- m; bit up to 65,535 bytes (524,280 bits)
CREATE TABLE wide (v vector(3072), w vector(16000), h halfvec(16000), b bit(524280),
                   bb bit(524288));
SELECT try_statement('CREATE INDEX wide_v_idx ON wide USING hnsw (v vector_l2_ops)');
SELECT try_statement('CREATE INDEX wide_w_idx ON wide USING hnsw (w vector_l2_ops) WITH (m = 100, ef_construction = 200)');
SELECT try_statement('CREATE INDEX wide_h_idx ON wide USING hnsw (h halfvec_l2_ops)');
SELECT try_statement('CREATE INDEX wide_b_idx ON wide USING hnsw (b bit_hamming_ops)');
SELECT try_statement('CREATE INDEX ON wide USING hnsw (bb bit_hamming_ops)');
INSERT INTO wide (v, w, h)
  SELECT array_fill(i::float4, ARRAY[3072]), array_fill(i::float4, ARRAY[16000]),
         array_fill(i::float4, ARRAY[16000])
  FROM generate_series(1, 40) i;
SET enable_seqscan = off;
SELECT subvector(v, 1, 2) FROM wide ORDER BY v <-> array_fill(3.1::float4, ARRAY[3072])::vector LIMIT 2;
SELECT subvector(w, 1, 2) FROM wide ORDER BY w <-> array_fill(9.6::float4, ARRAY[16000])::vector LIMIT 2;
SELECT subvector(h, 1, 2) FROM wide ORDER BY h <-> array_fill(7.2::float4, ARRAY[16000])::halfvec LIMIT 2;
RESET enable_seqscan;
SELECT elements, violations, unreachable FROM vecsim_hnsw_verify('wide_v_idx');
SELECT elements, violations, unreachable FROM vecsim_hnsw_verify('wide_w_idx');
SELECT elements, violations, unreachable FROM vecsim_hnsw_verify('wide_h_idx');
-- a spilled index takes little more than its values' bytes
SELECT pg_relation_size('wide_v_idx') < 1.15 * 40 * (4 * 3072 + 8 * 16) + 2 * 8192 AS v_size_ok;
DROP TABLE wide;

-- sparsevec: at most 8,190 non-zero elements per indexed value (what fits
-- 65,535 bytes)
CREATE TABLE sp (s sparsevec(20000));
INSERT INTO sp SELECT ('{' || string_agg(i || ':1', ',') || '}/20000')::sparsevec FROM generate_series(1, 8191) i;
SELECT try_statement('CREATE INDEX ON sp USING hnsw (s sparsevec_l2_ops)');
TRUNCATE sp;
CREATE INDEX sp_idx ON sp USING hnsw (s sparsevec_l2_ops);
SELECT try_statement($$INSERT INTO sp SELECT ('{' || string_agg(i || ':1', ',') || '}/20000')::sparsevec FROM generate_series(1, 8191) i$$);
INSERT INTO sp SELECT ('{' || string_agg(i || ':1', ',') || '}/20000')::sparsevec FROM generate_series(1, 8190) i;
INSERT INTO sp SELECT ('{' || string_agg(i || ':' || k, ',') || '}/20000')::sparsevec
  FROM generate_series(1, 3000) i, generate_series(2, 6) k GROUP BY k;
SET enable_seqscan = off;
CREATE TEMP TABLE threes AS
  SELECT ('{' || string_agg(i || ':3', ',') || '}/20000')::sparsevec AS q FROM generate_series(1, 3000) i;
SELECT s <-> (SELECT q FROM threes) AS nearest FROM sp ORDER BY s <-> (SELECT q FROM threes) LIMIT 1;
SELECT count(*) FROM (SELECT 1 FROM sp ORDER BY s <-> '{1:3}/20000' LIMIT 10) found;
RESET enable_seqscan;
SELECT elements, violations, unreachable FROM vecsim_hnsw_verify('sp_idx');
DROP TABLE sp;

-- what is not indexed: NULLs; zero vectors under cosine only
INSERT INTO t (id, v) VALUES (1, '[1,0,0]'), (2, '[0,0,0]'), (3, NULL), (4, '[0,1,0]');
CREATE INDEX t_l2 ON t USING hnsw (v vector_l2_ops);
CREATE INDEX t_cos ON t USING hnsw (v vector_cosine_ops);
SELECT elements FROM vecsim_hnsw_verify('t_l2');
SELECT elements FROM vecsim_hnsw_verify('t_cos');
SET enable_seqscan = off;
SELECT id FROM t ORDER BY v <-> '[1,0,0]' LIMIT 10;
SELECT id FROM t ORDER BY v <=> '[1,0,0]' LIMIT 10;
-- a NULL query: no error, rows in some order; a zero query under cosine too
SELECT count(*) FROM (SELECT id FROM t ORDER BY v <-> (SELECT NULL::vector) LIMIT 10) s;
SELECT count(*) FROM (SELECT id FROM t ORDER BY v <=> '[0,0,0]' LIMIT 10) s;
-- a query of other dimensions is the operator's error
SELECT try_statement($$SELECT id FROM t ORDER BY v <-> '[1,2]' LIMIT 1$$);
RESET enable_seqscan;
DROP INDEX t_l2, t_cos;

-- query shapes: the index serves ORDER BY col <op> q [ASC] LIMIT n only
INSERT INTO t (id, v) SELECT i, ARRAY[sin(i), cos(i * 1.3), sin(i * 0.7)] FROM generate_series(5, 5000) i;
ANALYZE t;
CREATE INDEX t_l2 ON t USING hnsw (v vector_l2_ops);
EXPLAIN (COSTS OFF) SELECT id FROM t ORDER BY v <-> '[1,2,3]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM t ORDER BY '[1,2,3]' <-> v LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM t ORDER BY v <-> '[1,2,3]' DESC LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM t ORDER BY l2_distance(v, '[1,2,3]') LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM t ORDER BY v <#> '[1,2,3]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM t WHERE v <-> '[1,2,3]' < 1;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM t WHERE id = 7;
RESET enable_seqscan;
-- without iterative scans a scan returns at most about ef_search rows
SET enable_seqscan = off;
SET hnsw.ef_search = 10;
SELECT count(*) FROM (SELECT id FROM t ORDER BY v <-> '[1,2,3]' LIMIT 100) s;
-- iterative scans find the rows a filter keeps (without, few are among 10)
SELECT count(*) < 10 AS too_few FROM (SELECT id FROM t WHERE id % 100 = 0 ORDER BY v <-> '[1,2,3]' LIMIT 10) s;
SET hnsw.iterative_scan = relaxed_order;
SELECT count(*) FROM (SELECT id FROM t WHERE id % 100 = 0 ORDER BY v <-> '[1,2,3]' LIMIT 10) s;
SET hnsw.iterative_scan = strict_order;
SELECT count(*) FROM (SELECT id FROM t WHERE id % 100 = 0 ORDER BY v <-> '[1,2,3]' LIMIT 10) s;
-- strict order: distances never decrease
SELECT bool_and(d >= prev) FROM (
  SELECT d, lag(d, 1, 0::float8) OVER () AS prev
    FROM (SELECT v <-> '[1,2,3]' AS d FROM t ORDER BY v <-> '[1,2,3]' LIMIT 500) s) s;
-- max_scan_tuples stops an iterative scan early
SET hnsw.max_scan_tuples = 50;
SELECT count(*) < 5000 AS stopped FROM (SELECT id FROM t ORDER BY v <-> '[1,2,3]' LIMIT 5000) s;
RESET hnsw.max_scan_tuples;
RESET hnsw.iterative_scan;
RESET hnsw.ef_search;
RESET enable_seqscan;
-- rescans: a new query vector per outer row
SELECT q.n, (SELECT count(*) FROM (SELECT id FROM t ORDER BY v <-> q.v LIMIT 3) s)
  FROM (VALUES (1, '[1,1,1]'::vector), (2, '[5,5,5]')) q (n, v);
DROP INDEX t_l2;

-- the cost estimate's reference cases (docs/reference.md 8.7): with default
-- settings the index is chosen for ORDER BY ... LIMIT 10 on 2,000 rows of
-- 384 and of 1,536 dims, and on 6,000 rows with a distance filter added
CREATE TABLE c384 AS SELECT i AS id, (SELECT array_agg(random()) FROM generate_series(1, 384) WHERE i > 0)::vector(384) AS v
  FROM generate_series(1, 2000) i;
CREATE TABLE c1536 AS SELECT i AS id, (SELECT array_agg(random()) FROM generate_series(1, 1536) WHERE i > 0)::vector(1536) AS v
  FROM generate_series(1, 2000) i;
CREATE TABLE c6000 AS SELECT i AS id, (SELECT array_agg(random()) FROM generate_series(1, 384) WHERE i > 0)::vector(384) AS v
  FROM generate_series(1, 6000) i;
CREATE INDEX c384_idx ON c384 USING hnsw (v vector_l2_ops);
CREATE INDEX c1536_idx ON c1536 USING hnsw (v vector_cosine_ops);
CREATE INDEX c6000_idx ON c6000 USING hnsw (v vector_l2_ops);
ANALYZE c384, c1536, c6000;
EXPLAIN (COSTS OFF) SELECT id FROM c384 ORDER BY v <-> (SELECT v FROM c384 WHERE id = 1) LIMIT 10;
EXPLAIN (COSTS OFF) SELECT id FROM c1536 ORDER BY v <=> (SELECT v FROM c1536 WHERE id = 1) LIMIT 10;
EXPLAIN (COSTS OFF) SELECT id FROM c6000 WHERE v <-> (SELECT v FROM c6000 WHERE id = 1) < 10
  ORDER BY v <-> (SELECT v FROM c6000 WHERE id = 1) LIMIT 10;
DROP TABLE c384, c1536, c6000;

-- expression and partial indexes
CREATE INDEX t_half ON t USING hnsw ((v::halfvec(3)) halfvec_l2_ops);
CREATE INDEX t_bits ON t USING hnsw ((binary_quantize(v)::bit(3)) bit_hamming_ops);
CREATE INDEX t_sub ON t USING hnsw ((subvector(v, 1, 2)::vector(2)) vector_cosine_ops);
CREATE INDEX t_part ON t USING hnsw (v vector_l1_ops) WHERE id < 1000;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM t ORDER BY v::halfvec(3) <-> '[1,2,3]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM t ORDER BY binary_quantize(v)::bit(3) <~> '101' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM t ORDER BY subvector(v, 1, 2)::vector(2) <=> '[1,2]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM t WHERE id < 1000 ORDER BY v <+> '[1,2,3]' LIMIT 5;
SELECT count(*) FROM (SELECT id FROM t WHERE id < 1000 ORDER BY v <+> '[1,2,3]' LIMIT 5) s;
RESET enable_seqscan;
-- (binary_quantize of 3 dims has 8 values over all the rows: the bit index
-- is mostly equal values, every one of which must still be reachable, so
-- an iterative scan finds every row with a value)
SELECT c.relname, v.violations, v.unreachable = 0 AS all_reachable
  FROM pg_class c, vecsim_hnsw_verify(c.oid) v WHERE c.relname LIKE 't\_%' ORDER BY 1;
SET enable_seqscan = off;
SET hnsw.iterative_scan = relaxed_order;
SELECT count(*) = (SELECT count(v) FROM t) AS every_row
  FROM (SELECT id FROM t ORDER BY binary_quantize(v)::bit(3) <~> '101' LIMIT 100000) s;
RESET hnsw.iterative_scan;
RESET enable_seqscan;
SELECT try_statement($$SELECT * FROM vecsim_hnsw_verify('t')$$);

-- TRUNCATE, REINDEX, CONCURRENTLY, an unlogged table, an empty table
TRUNCATE t;
SELECT elements FROM vecsim_hnsw_verify('t_half');
INSERT INTO t (id, v) VALUES (1, '[1,2,3]');
REINDEX INDEX t_half;
REINDEX INDEX CONCURRENTLY t_sub;
SELECT elements FROM vecsim_hnsw_verify('t_half');
CREATE INDEX CONCURRENTLY t_conc ON t USING hnsw (v vector_ip_ops);
SELECT elements FROM vecsim_hnsw_verify('t_conc');
CREATE UNLOGGED TABLE u (v vector(3));
CREATE INDEX u_idx ON u USING hnsw (v vector_l2_ops);
INSERT INTO u VALUES ('[1,2,3]'), ('[4,5,6]');
SELECT v FROM u ORDER BY v <-> '[4,5,6]' LIMIT 1;
SELECT amvalidate(oc.oid) AS valid, count(*) FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod
 WHERE am.amname = 'hnsw' GROUP BY 1;
DROP TABLE t, u;

-- a LIMIT the scan cannot fill: 10,000 rows, c of 50 values; a search
-- returns about ef_search (40) rows, of which 1 in 50 pass c = 7, so
-- LIMIT 20 goes to an exact plan (and returns 20 rows); c <> 7 keeps
-- the index, and so do a distance filter and an iterative scan (up to
-- max_scan_tuples rows); a LIMIT the plan does not know (a parameter of
-- a generic plan) keeps the index too
CREATE TABLE filtered (id int, c int, v vector(3));
INSERT INTO filtered SELECT i, i % 50, ARRAY[sin(i), cos(i), sin(i * 0.3)] FROM generate_series(1, 10000) i;
CREATE INDEX filtered_v ON filtered USING hnsw (v vector_l2_ops);
ANALYZE filtered;
EXPLAIN (COSTS OFF) SELECT id FROM filtered WHERE c = 7 ORDER BY v <-> '[1,0,0]' LIMIT 20;
SELECT count(*) AS rows FROM (SELECT id FROM filtered WHERE c = 7 ORDER BY v <-> '[1,0,0]' LIMIT 20) s;
EXPLAIN (COSTS OFF) SELECT id FROM filtered WHERE c <> 7 ORDER BY v <-> '[1,0,0]' LIMIT 20;
EXPLAIN (COSTS OFF) SELECT id FROM filtered WHERE v <-> '[1,0,0]' < 0.5 ORDER BY v <-> '[1,0,0]' LIMIT 10;
SET hnsw.iterative_scan = relaxed_order;
EXPLAIN (COSTS OFF) SELECT id FROM filtered WHERE c = 7 ORDER BY v <-> '[1,0,0]' LIMIT 20;
RESET hnsw.iterative_scan;
SET plan_cache_mode = force_generic_plan;
PREPARE knn(int, vector, int) AS SELECT id FROM filtered WHERE c = $1 ORDER BY v <-> $2 LIMIT $3;
EXPLAIN (COSTS OFF) EXECUTE knn(7, '[1,0,0]', 20);
DEALLOCATE knn;
RESET plan_cache_mode;
DROP TABLE filtered;

-- an iterative scan goes on until max_scan_tuples (or its memory budget):
-- 100,000 rows, 10 of which match, max_scan_tuples 100,000 with a memory
-- multiplier of 2 finds all 10 (it stopped at 5 while the budget counted
-- the links of every visited element); and the rows found track
-- max_scan_tuples / rows x matching (100 matching rows)
SELECT setseed(0.4);
CREATE TABLE iterated (i int, v vector(3));
INSERT INTO iterated SELECT i, ARRAY[random(), random(), random()] FROM generate_series(1, 100000) i;
CREATE INDEX iterated_v ON iterated USING hnsw (v vector_l2_ops);
SET hnsw.iterative_scan = relaxed_order;
SET hnsw.scan_mem_multiplier = 2;
SET hnsw.max_scan_tuples = 100000;
SELECT count(*) AS all_ten FROM (SELECT i FROM iterated WHERE i % 10000 = 0 ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 11) s;
SET enable_seqscan = off;
SET hnsw.max_scan_tuples = 20000;
SELECT count(*) BETWEEN 10 AND 40 AS about_a_fifth
  FROM (SELECT i FROM iterated WHERE i % 1000 = 0 ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 1000) s;
SET hnsw.max_scan_tuples = 100000;
SELECT count(*) AS all_hundred FROM (SELECT i FROM iterated WHERE i % 1000 = 0 ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 1000) s;
RESET enable_seqscan;
RESET hnsw.max_scan_tuples;
RESET hnsw.scan_mem_multiplier;
RESET hnsw.iterative_scan;
DROP TABLE iterated;

-- a build that outgrows maintenance_work_mem says so, in pgvector's words
-- (the count is the rows that fit in memory); one that fits says nothing
SET client_min_messages = notice;
CREATE TABLE outgrown (v vector(256));
INSERT INTO outgrown SELECT array_fill(i::float4 / 7, ARRAY[256]) FROM generate_series(1, 2000) i;
SET maintenance_work_mem = '1MB';
SET max_parallel_maintenance_workers = 0;
CREATE INDEX outgrown_v ON outgrown USING hnsw (v vector_l2_ops);
SELECT violations, unreachable FROM vecsim_hnsw_verify('outgrown_v');
RESET maintenance_work_mem;
REINDEX INDEX outgrown_v;
RESET max_parallel_maintenance_workers;
RESET client_min_messages;
DROP TABLE outgrown;
