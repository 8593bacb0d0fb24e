-- Array filter columns in hnsw indexes (docs/hnsw_filtering.md): &&, @>
-- and <@ on arrays of integers and text become index keys, answered from
-- a 128-bit signature of each row's elements (false positives only) and
-- rechecked by the executor. Answers are compared with an exact scan:
-- the recall threshold and the full row count, as in hnsw_filter.sql.
SET client_min_messages = warning;

CREATE DOMAIN int_list AS int4[];
CREATE TABLE aitems WITH (autovacuum_enabled = off) AS
  SELECT id, v::vector(16) AS v,
         CASE WHEN id % 23 = 0 THEN NULL
              ELSE ARRAY[id % 40, (id / 7) % 40, (id * 13) % 97] END AS tags,
         ARRAY['t' || (id % 11), 'u' || (id % 3)]::text[] AS labels,
         CASE WHEN id % 29 = 0 THEN '{}'::int8[]
              WHEN id % 31 = 0 THEN ARRAY[NULL, id % 5]::int8[]
              ELSE ARRAY[id % 5, 100 + id % 9]::int8[] END AS big,
         ARRAY[id % 6, id % 4]::int2[] AS small,
         ARRAY['n' || (id % 9)]::varchar[] AS names,
         ARRAY[id % 8]::int_list AS dom
    FROM clustered_rows(3000, 16, 0.5);
CREATE TABLE aqueries AS SELECT id, v::vector(16) AS q FROM clustered_rows(10, 16, 0.6);
CREATE INDEX aitems_idx ON aitems USING hnsw (v vector_l2_ops, tags, labels, big, small, names, dom);
ANALYZE aitems;
SELECT elements, violations, unreachable, count_matches FROM vecsim_hnsw_verify('aitems_idx');

-- the three operators are keys, the executor rechecks them
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM aitems WHERE tags && '{3,4}' AND labels @> '{t1}' AND big <@ '{1,2,100,101}'
  ORDER BY v <-> '[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]' LIMIT 5;
RESET enable_seqscan;

CREATE FUNCTION array_check(cond text, k int DEFAULT 10, OUT recall float8, OUT full_count boolean)
LANGUAGE sql AS $$
  SELECT * FROM index_answers('aitems', 'v', '<->',
                              'SELECT quote_literal(q) || ''::vector(16)'' FROM aqueries', k, cond, 'Index Cond')
$$;
SELECT cond, recall >= 0.95 AS recall_ok, full_count FROM (VALUES
    ('tags && ''{3}'''), ('tags && ''{3,77,5}'''), ('tags @> ''{3,12}'''), ('tags <@ ''{1,2,3,4,5,6,7,8,9,10,11,12,13}'''),
    ('labels && ''{t4}'''), ('labels @> ''{t4,u1}'''), ('labels <@ ''{t1,t2,u0,u1}'''),
    ('big @> ''{3}'''), ('big <@ ''{1,2,3,101,102,103}'''), ('big @> ''{}'''), ('big <@ ''{}'''),
    ('tags && ''{3}'' AND labels @> ''{u2}'''),
    ('small && ''{2}'''), ('small @> ''{2,3}'''), ('names @> ''{n3}'''), ('names && ''{n1,n2}'''), ('dom && ''{5}'''),
    -- the commuted form (tags <@ ...), and a two-dimensional operand (its elements)
    ('''{1,2,3,4,5,6,7,8,9,10,11,12,13}'' @> tags'), ('tags && ''{{3,77},{5,6}}''')
  ) c(cond), LATERAL array_check(cond);
-- beyond ef_search, every passing row
SELECT cond, recall >= 0.95 AS recall_ok, full_count FROM (VALUES ('labels @> ''{t4}''')) c(cond),
  LATERAL array_check(cond, 100);
-- keys no array satisfies: && with no element, @> of a NULL element (NULL
-- is in no array)
SET enable_seqscan = off;
SELECT (SELECT count(*) FROM (SELECT id FROM aitems WHERE tags && '{}'
          ORDER BY v <-> '[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]' LIMIT 5) s) AS overlap_empty,
       (SELECT count(*) FROM (SELECT id FROM aitems WHERE big @> ARRAY[NULL]::int8[]
          ORDER BY v <-> '[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]' LIMIT 5) s) AS contains_null;
RESET enable_seqscan;

-- inserts, updates of the array and VACUUM keep the answers exact
INSERT INTO aitems SELECT id + 3000, v::vector(16), ARRAY[id % 40, 500], ARRAY['t' || (id % 11)], ARRAY[id % 5]::int8[]
  FROM clustered_rows(1000, 16, 0.7);
UPDATE aitems SET tags = tags || 500 WHERE id % 10 = 1;
DELETE FROM aitems WHERE id % 3 = 0;
VACUUM aitems;
SELECT violations, unreachable, count_matches FROM vecsim_hnsw_verify('aitems_idx');
SELECT cond, recall >= 0.95 AS recall_ok, full_count FROM (VALUES ('tags && ''{500}'''), ('tags @> ''{3,500}''')) c(cond),
  LATERAL array_check(cond);

-- a parallel build with filter columns (one helper; debug1 shows it):
-- verify's A1 compares every element's attributes with its rows, and
-- keyed scans of the parallel-built index answer as exactly
-- (PostgreSQL's own message says "serially": it plans workers for btree
-- only; the build's helper thread is vecsim's, whose message follows)
SET min_parallel_table_scan_size = 0;
SET max_parallel_maintenance_workers = 1;
SET maintenance_work_mem = '128MB';
SET client_min_messages = debug1;
CREATE INDEX aitems_par ON aitems USING hnsw (v vector_l2_ops, tags, labels, big);
RESET client_min_messages;
SET client_min_messages = warning;
RESET max_parallel_maintenance_workers;
RESET min_parallel_table_scan_size;
RESET maintenance_work_mem;
SELECT violations, unreachable, count_matches FROM vecsim_hnsw_verify('aitems_par');
DROP INDEX aitems_idx;
SELECT cond, recall >= 0.95 AS recall_ok, full_count FROM (VALUES ('tags && ''{3}'''), ('labels @> ''{t4,u1}'''),
    ('big <@ ''{1,2,3,101,102,103}''')) c(cond), LATERAL array_check(cond);

-- arrays of other element types are refused
CREATE TABLE abad (v vector(3), f float8[], n numeric[]);
SELECT try_statement('CREATE INDEX ON abad USING hnsw (v vector_l2_ops, f)');
SELECT try_statement('CREATE INDEX ON abad USING hnsw (v vector_l2_ops, n)');
DROP TABLE abad, aitems, aqueries;
DROP DOMAIN int_list;
DROP FUNCTION array_check(text, int);
