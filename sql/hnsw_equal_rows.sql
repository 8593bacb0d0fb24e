-- Rows of equal value share one hnsw element, up to ten rows an element,
-- as pgvector's do: built or inserted, a table of many duplicates gets a
-- small index, and a scan at ef_search 1 returns a whole element's rows.
-- Vacuum removes dead rows from an element and the element only with its
-- last row; the index answers as an exact scan does throughout.
SET client_min_messages = warning;
SET enable_seqscan = off;

-- 20 identical rows and a few others: ef_search 1 finds one element,
-- which holds ten of them (built, then inserted into an empty index)
CREATE TABLE twins (id serial, v vector(3));
INSERT INTO twins (v) SELECT '[1,1,1]' FROM generate_series(1, 20);
INSERT INTO twins (v) SELECT ARRAY[i, 0, 0]::vector FROM generate_series(2, 6) i;
CREATE INDEX twins_built ON twins USING hnsw (v vector_l2_ops);
SELECT elements, violations, unreachable, count_matches FROM vecsim_hnsw_verify('twins_built');
SET hnsw.ef_search = 1;
SELECT count(*) AS rows_at_ef_1 FROM (SELECT id FROM twins ORDER BY v <-> '[1,1,1]' LIMIT 100) s;
SET hnsw.ef_search = 40;
SELECT count(*) AS rows_at_ef_40 FROM (SELECT id FROM twins ORDER BY v <-> '[1,1,1]' LIMIT 100) s;
DROP INDEX twins_built;
TRUNCATE twins;
CREATE INDEX twins_inserted ON twins USING hnsw (v vector_l2_ops);
INSERT INTO twins (v) SELECT '[1,1,1]' FROM generate_series(1, 20);
INSERT INTO twins (v) SELECT ARRAY[i, 0, 0]::vector FROM generate_series(2, 6) i;
SELECT elements, violations, unreachable, count_matches FROM vecsim_hnsw_verify('twins_inserted');
SET hnsw.ef_search = 1;
SELECT count(*) AS rows_at_ef_1 FROM (SELECT id FROM twins ORDER BY v <-> '[1,1,1]' LIMIT 100) s;
SET hnsw.ef_search = 40;
DROP TABLE twins;

-- 10,000 rows of 100 values, each type: 1,000 elements of ten rows, and
-- every row found by an iterative scan
CREATE TABLE dup (id serial, v vector(8), h halfvec(8), s sparsevec(8), b bit(8));
INSERT INTO dup (v) SELECT ARRAY[i % 100, (i % 100) / 10, 1, 2, 3, 4, 5, 6]::vector
  FROM generate_series(1, 10000) i;
UPDATE dup SET h = v::halfvec, s = v::sparsevec, b = binary_quantize(v - '[50,5,1,2,3,4,5,6]')::bit(8);
CREATE INDEX dup_v ON dup USING hnsw (v vector_l2_ops);
CREATE INDEX dup_h ON dup USING hnsw (h halfvec_cosine_ops);
CREATE INDEX dup_s ON dup USING hnsw (s sparsevec_ip_ops);
CREATE INDEX dup_b ON dup USING hnsw (b bit_hamming_ops);
SELECT c.relname, v.elements, v.violations, v.unreachable, v.count_matches
  FROM pg_class c, vecsim_hnsw_verify(c.oid) v WHERE c.relname LIKE 'dup\_%' AND c.relkind = 'i' ORDER BY 1;
-- pages: an index of 100 distinct values' elements and their lists, not of
-- 10,000 elements
SELECT pg_relation_size('dup_v') / 8192 < 50 AS small_index;
SET hnsw.iterative_scan = relaxed_order;
SELECT count(*) AS every_row FROM (SELECT id FROM dup ORDER BY v <-> '[3,0,1,2,3,4,5,6]' LIMIT 20000) s;
SELECT count(*) AS every_row FROM (SELECT id FROM dup ORDER BY s <#> '{1:3,3:1}/8' LIMIT 20000) s;

-- the 100 nearest rows' distances are the exact scan's (the rows of the
-- nearest values; which of several equally near rows comes first is not
-- defined, so distances are compared)
CREATE FUNCTION dup_nearest(q vector, exact bool) RETURNS float8[] LANGUAGE plpgsql AS $$
DECLARE
  d float8[];
BEGIN
  EXECUTE format('SET LOCAL enable_indexscan = %s', CASE WHEN exact THEN 'off' ELSE 'on' END);
  EXECUTE format('SET LOCAL enable_seqscan = %s', CASE WHEN exact THEN 'on' ELSE 'off' END);
  SELECT array_agg(dist ORDER BY dist) INTO d
    FROM (SELECT v <-> q AS dist FROM dup ORDER BY v <-> q LIMIT 100) s;
  RETURN d;
END $$;
SELECT dup_nearest('[42,4,1,2,3,4,5,6.1]', false) = dup_nearest('[42,4,1,2,3,4,5,6.1]', true) AS same_as_exact;

-- vacuum: dead rows leave their elements; an element goes with its last
-- row (value 7's hundred rows), and its slots are reused
DELETE FROM dup WHERE id % 100 = 7 OR id % 3 = 0;
VACUUM dup;
SELECT c.relname, v.elements, v.violations, v.unreachable, v.count_matches
  FROM pg_class c, vecsim_hnsw_verify(c.oid) v WHERE c.relname LIKE 'dup\_%' AND c.relkind = 'i' ORDER BY 1;
SELECT count(*) = (SELECT count(*) FROM dup) AS every_live_row
  FROM (SELECT id FROM dup ORDER BY v <-> '[3,0,1,2,3,4,5,6]' LIMIT 20000) s;
SELECT count(*) = (SELECT count(*) FROM dup) AS every_live_row
  FROM (SELECT id FROM dup ORDER BY h <=> '[3,0,1,2,3,4,5,6]' LIMIT 20000) s;
SELECT dup_nearest('[7,0,1,2,3,4,5,6]', false) = dup_nearest('[7,0,1,2,3,4,5,6]', true) AS same_as_exact;
SELECT pg_relation_size('dup_v') AS size_before \gset
INSERT INTO dup (v) SELECT ARRAY[i % 100, (i % 100) / 10, 1, 2, 3, 4, 5, 6]::vector
  FROM generate_series(1, 3000) i;
SELECT pg_relation_size('dup_v') = :size_before AS slots_reused;
SELECT violations, unreachable, count_matches FROM vecsim_hnsw_verify('dup_v');
SELECT count(*) = (SELECT count(*) FROM dup) AS every_live_row
  FROM (SELECT id FROM dup ORDER BY v <-> '[3,0,1,2,3,4,5,6]' LIMIT 20000) s;
SELECT dup_nearest('[7,0,1,2,3,4,5,6]', false) = dup_nearest('[7,0,1,2,3,4,5,6]', true) AS same_as_exact;
RESET hnsw.iterative_scan;
DROP TABLE dup;
DROP FUNCTION dup_nearest;
RESET enable_seqscan;
