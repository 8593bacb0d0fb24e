-- vector: avg and sum (docs/reference.md 6.6).

CREATE TABLE agg (g int, v vector);
INSERT INTO agg VALUES (1, '[1,2,3]'), (1, '[3,4,5]'), (1, NULL), (2, '[1,1,1]'), (3, NULL);
SELECT g, avg(v), sum(v), count(v) FROM agg GROUP BY g ORDER BY g;
SELECT avg(v), sum(v) FROM agg WHERE false;
SELECT avg(v) FROM (VALUES ('[3e38]'::vector), ('[3e38]')) t(v);
SELECT try($$(SELECT sum(v) FROM (VALUES ('[3e38]'::vector), ('[3e38]')) t(v))$$);
SELECT try($$(SELECT avg(v) FROM (VALUES ('[1,2]'::vector), ('[1,2,3]')) t(v))$$);
SELECT try($$(SELECT sum(v) FROM (VALUES ('[1,2]'::vector), ('[1,2,3]')) t(v))$$);
-- signed zeros survive the first row and sums of them
SELECT avg(v), sum(v) FROM (VALUES ('[-0,1]'::vector)) t(v);
SELECT avg(v) FROM (VALUES ('[-0,1]'::vector), ('[-0,2]')) t(v);
SELECT vector_accum('{0}', '[-0,2]');
-- float64 sums: 0.1 added ten times averages to exactly 0.1 as float32
SELECT avg(v) FROM (SELECT '[0.1,1e-45]'::vector FROM generate_series(1, 10)) t(v);

-- the helpers called directly
SELECT vector_accum('{0}', '[1,2]'), vector_accum('{1,1,2}', '[1,2]'), vector_accum('{3,0,0}', '[1,2]');
SELECT x AS expr, try(x) FROM unnest(ARRAY[
  $$vector_accum('{0,0}', '[1,2,3]')$$, $$vector_accum('{2,1,1}', '[1,2,3]')$$,
  $$vector_accum('{}', '[1]')$$, $$vector_accum('{{0,1},{1,1}}', '[1]')$$,
  $$vector_accum('{0,NULL}', '[1]')$$,
  $$vector_combine('{0}', '{2,1,2}')$$, $$vector_combine('{2,1,2}', '{0}')$$,
  $$vector_combine('{0}', '{0}')$$, $$vector_combine('{1,1,2}', '{2,1,2}')$$,
  $$vector_combine('{1,1,2}', '{2,1,2,3}')$$, $$vector_combine('{1,1e308}', '{1,1e308}')$$,
  $$vector_avg('{0}')$$, $$vector_avg('{2,1,3}')$$, $$vector_avg('{1}')$$,
  $$vector_avg('{1,NaN}')$$, $$vector_avg('{1,1e300}')$$, $$vector_avg('{}')$$
]) AS x;
SELECT vector_combine(a, b) FROM (SELECT '{1,1,2}'::float8[] a, '{2,1,2}'::float8[] b) t;
SELECT try($$vector_combine(array_fill(1::float8, ARRAY[16002]), array_fill(1::float8, ARRAY[16002]))$$);

-- parallel aggregation uses the combine functions
CREATE TABLE agg_big AS
  SELECT i, ('[' || i % 7 || ',' || i % 11 || ',1]')::vector AS v FROM generate_series(1, 100000) i;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT avg(v), sum(v) FROM agg_big;
SELECT avg(v), sum(v) FROM agg_big;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
SELECT avg(v), sum(v) FROM agg_big;
DROP TABLE agg, agg_big;

-- the state arrays accum and combine return have lower bound 1, whatever
-- the lower bound of the array passed in
SELECT vector_accum('[0:1]={1,2}', '[9]') AS accum, array_lower(vector_accum('[0:1]={1,2}', '[9]'), 1),
       array_lower(vector_combine('{0}', '[5:7]={1,1,2}'), 1) AS combined_from_empty,
       array_lower(halfvec_accum('[3:4]={1,2}', '[9]'), 1) AS half;
