-- halfvec: + - * ||, and the avg / sum aggregates (docs/reference.md 6.4, 6.6).

SELECT '[1,2,3]'::halfvec + '[4,5,6]', '[1,2,3]'::halfvec - '[4,5,6]', '[1,2,3]'::halfvec * '[4,5,6]';
SELECT '[1,2]'::halfvec || '[3]', '[1]'::halfvec || '[2,3,4]', '[0.1]'::halfvec || '[-0]';
SELECT pg_typeof('[1,2]'::halfvec + '[3,4]'), pg_typeof('[1]'::halfvec || '[2]'),
       pg_typeof('[1]'::halfvec * '[2]'), pg_typeof('[1]'::halfvec - '[2]');
SELECT halfvec_add('[1,2]', '[3,4]'), halfvec_sub('[1,2]', '[3,4]'), halfvec_mul('[1,2]', '[3,4]'),
       halfvec_concat('[1,2]', '[3,4]');

-- computed in float32, then rounded to binary16 (nearest even)
SELECT '[1]'::halfvec + '[0.0004]' AS absorbed, '[2048]'::halfvec + '[1]' AS tie_down,
       '[2048]'::halfvec + '[3]' AS tie_up, '[0.1]'::halfvec * '[3]' AS times_3,
       '[1]'::halfvec - '[0.1]' AS minus_tenth, '[-1]'::halfvec * '[0]' AS negative_zero;

-- overflow (an infinite element) and underflow (* only: 0 from two non-zero
-- elements) are 22003
SELECT x AS expr, try(x) FROM unnest(ARRAY[
  $$'[65519]'::halfvec + '[65519]'$$,
  $$'[65504]'::halfvec + '[16]'$$,                -- 65520 rounds to infinity
  $$'[65504]'::halfvec + '[15]'$$,                -- 65519 rounds to 65504
  $$'[-65504]'::halfvec - '[65504]'$$,
  $$'[300]'::halfvec * '[300]'$$,
  $$'[255]'::halfvec * '[256]'$$,                 -- 65280, exact
  $$'[1e-7]'::halfvec * '[1e-7]'$$,
  $$'[0,1e-7]'::halfvec * '[5,1e-7]'$$,
  $$'[0]'::halfvec * '[1e-7]'$$,
  $$'[5.9604645e-08]'::halfvec * '[0.5]'$$,       -- tie to 0: underflow
  $$'[5.9604645e-08]'::halfvec * '[0.75]'$$,      -- rounds up to the smallest subnormal
  $$'[-5.9604645e-08]'::halfvec * '[0.5]'$$,
  $$'[1,2]'::halfvec - '[1,2]'$$,                 -- zeros from - are fine
  $$'[5.9604645e-08]'::halfvec - '[5.9604645e-08]'$$,
  $$'[1,65504]'::halfvec + '[1,65504]'$$
]) AS x;

-- different dims: 22000; || takes any dims up to 16000 in total (54000)
SELECT x AS expr, try(x) FROM unnest(ARRAY[
  $$'[1,2]'::halfvec + '[1,2,3]'$$, $$'[1,2]'::halfvec - '[1]'$$, $$'[1,2]'::halfvec * '[1,2,3]'$$
]) AS x;
SELECT vector_dims(('[' || repeat('1,', 7999) || '1]')::halfvec || ('[' || repeat('1,', 7999) || '1]')::halfvec);
SELECT vector_dims(('[' || repeat('1,', 15998) || '1]')::halfvec || '[2]'::halfvec);
SELECT try($$('[' || repeat('1,', 7999) || '1]')::halfvec || ('[' || repeat('1,', 8000) || '1]')::halfvec$$);
SELECT try($$('[' || repeat('1,', 15999) || '1]')::halfvec || '[2]'::halfvec$$);

-- avg and sum: NULLs ignored, NULL for no rows
CREATE TABLE hv_agg (g int, v halfvec);
INSERT INTO hv_agg VALUES (1, '[1,2,3]'), (1, '[3,4,5]'), (1, NULL), (2, '[1,1,1]'), (3, NULL),
                          (4, '[0.1,1,-1]'), (4, '[0.2,2,-2]'), (4, '[0.3,4,-4]');
SELECT g, avg(v), sum(v), count(v) FROM hv_agg GROUP BY g ORDER BY g;
SELECT avg(v), sum(v) FROM hv_agg WHERE false;
SELECT avg(v), sum(v) FROM hv_agg WHERE v IS NULL;
SELECT pg_typeof(avg(v)), pg_typeof(sum(v)) FROM hv_agg;
-- avg sums in float64: [65504] twice averages fine, while sum overflows binary16
SELECT avg(v) FROM (VALUES ('[65504]'::halfvec), ('[65504]')) t(v);
SELECT try($$(SELECT sum(v) FROM (VALUES ('[65504]'::halfvec), ('[65504]')) t(v))$$);
SELECT try($$(SELECT avg(v) FROM (VALUES ('[1,2]'::halfvec), ('[1,2,3]')) t(v))$$);
SELECT try($$(SELECT sum(v) FROM (VALUES ('[1,2]'::halfvec), ('[1,2,3]')) t(v))$$);
-- the average is rounded to binary16; an average below half the smallest
-- subnormal becomes 0 (no error)
SELECT avg(v) FROM (VALUES ('[1,0.1]'::halfvec), ('[2,0.2]'), ('[2,0.3]')) t(v);
SELECT avg(v) FROM (VALUES ('[5.9604645e-08]'::halfvec), ('[0]')) t(v);
-- signed zeros survive the first row
SELECT avg(v), sum(v) FROM (VALUES ('[-0,1]'::halfvec)) t(v);
SELECT halfvec_accum('{0}', '[-0,2]');
DROP TABLE hv_agg;

-- the helpers called directly; the state is {n, s1, ..., sdims}
SELECT halfvec_accum('{0}', '[1,2]'), halfvec_accum('{1,1,2}', '[1,2]'), halfvec_accum('{3,0,0}', '[0.1,65504]');
SELECT x AS expr, try(x) FROM unnest(ARRAY[
  -- state dims differ from the value's: 22000
  $$halfvec_accum('{0,0}', '[1,2,3]')$$, $$halfvec_accum('{2,1,1}', '[1,2,3]')$$,
  -- malformed states: XX000
  $$halfvec_accum('{}', '[1]')$$, $$halfvec_accum('{{0,1},{1,1}}', '[1]')$$,
  $$halfvec_accum('{0,NULL}', '[1]')$$, $$halfvec_accum('{NULL}', '[1]')$$,
  $$halfvec_combine('{}', '{0}')$$, $$halfvec_combine('{0}', '{}')$$,
  $$halfvec_combine('{{1,1}}', '{0}')$$, $$halfvec_combine('{0}', '{1,NULL}')$$,
  $$halfvec_avg('{}')$$, $$halfvec_avg('{NULL}')$$, $$halfvec_avg('{{1,2}}')$$, $$halfvec_avg('{1,NULL}')$$,
  -- combine: an empty side copies the other; dims must agree; float64 overflow 22003
  $$halfvec_combine('{0}', '{2,1,2}')$$, $$halfvec_combine('{2,1,2}', '{0}')$$,
  $$halfvec_combine('{0}', '{0}')$$, $$halfvec_combine('{1,1,2}', '{2,1,2}')$$,
  $$halfvec_combine('{1,1,2}', '{2,1,2,3}')$$, $$halfvec_combine('{1,1e308}', '{1,1e308}')$$,
  -- avg: NULL when empty; 22000 for dims 0, NaN or a float32 infinity;
  -- 22003 for a finite value beyond binary16
  $$halfvec_avg('{0}')$$, $$halfvec_avg('{2,1,3}')$$, $$halfvec_avg('{3,1,1}')$$,
  $$halfvec_avg('{1}')$$, $$halfvec_avg('{1,NaN}')$$, $$halfvec_avg('{1,1e300}')$$,
  $$halfvec_avg('{1,70000}')$$, $$halfvec_avg('{2,131008}')$$, $$halfvec_avg('{1,1e-9}')$$
]) AS x;
SELECT try($$halfvec_combine(array_fill(1::float8, ARRAY[16002]), array_fill(1::float8, ARRAY[16002]))$$);
SELECT try($$array_length(halfvec_combine('{0}', array_fill(1::float8, ARRAY[16002])), 1)$$);
SELECT try($$array_length(halfvec_combine(array_fill(1::float8, ARRAY[16002]), '{0}'), 1)$$);
SELECT try($$halfvec_avg(array_fill(1::float8, ARRAY[16002]))$$);

-- parallel aggregation uses the combine function; the values are chosen so
-- that every partial sum is exact in binary16, so any split gives the same sum
CREATE TABLE hv_agg_big AS
  SELECT i, format('[%s,%s,%s]', i % 2, (i % 3 = 0)::int,
                   CASE WHEN i % 5 = 0 THEN 0.125 ELSE 0 END)::halfvec AS v
    FROM generate_series(1, 3000) i;
ANALYZE hv_agg_big;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE hv_serial AS SELECT avg(v) AS a, sum(v) AS s FROM hv_agg_big;
SELECT a, s FROM hv_serial;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT avg(v), sum(v) FROM hv_agg_big;
SELECT avg(v), sum(v) FROM hv_agg_big;
SELECT p.a = s.a AS avg_same, p.s = s.s AS sum_same
  FROM (SELECT avg(v) AS a, sum(v) AS s FROM hv_agg_big) p, hv_serial s;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
DROP TABLE hv_agg_big, hv_serial;
