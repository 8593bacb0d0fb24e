-- Overload resolution across vector, halfvec and sparsevec, which follows from
-- the cast contexts: vector -> halfvec, vector -> sparsevec and
-- halfvec -> sparsevec are implicit; the reverse directions are assignment only
-- (docs/reference.md 4, 5, 6.1).

-- ambiguous calls: 42725
SELECT x AS expr, try(x) FROM unnest(ARRAY[
  $$l2_norm('[1,2]'::vector)$$,           -- l2_norm(halfvec) and l2_norm(sparsevec) both reachable
  $$l2_distance('[1,2]', '[3,4]')$$,      -- untyped literals: three candidates
  $$inner_product('[1,2]', '[3,4]')$$, $$cosine_distance('[1,2]', '[3,4]')$$,
  $$l1_distance('[1,2]', '[3,4]')$$,
  $$'[1,2]' <-> '[3,4]'$$, $$'[1,2]' <=> '[3,4]'$$,
  $$l2_norm('[1,2]')$$, $$vector_dims('[1,2]')$$, $$l2_normalize('[1,2]')$$,
  $$binary_quantize('[1,2]')$$, $$subvector('[1,2,3]', 1, 2)$$
]) AS x;

-- the unambiguous spellings
SELECT '[1,2]' <-> '[3,4]'::vector AS untyped_left, '[3,4]'::vector <-> '[1,2]' AS untyped_right,
       l2_distance('[1,2]'::vector, '[3,4]') AS one_typed;
SELECT l2_norm('[3,4]'::vector::halfvec), l2_norm('[3,4]'::vector::sparsevec), vector_norm('[3,4]'),
       l2_norm('[3,4]'::halfvec), l2_norm('{1:3,2:4}/2'::sparsevec);
SELECT vector_dims('[1,2]'::vector), vector_dims('[1,2]'::halfvec), l2_normalize('[3,4]'::vector),
       binary_quantize('[1,-2]'::vector), subvector('[1,2,3]'::vector, 2, 2);

-- mixed argument types pick the type both convert to implicitly; the values
-- show which: rounding to binary16 means the halfvec function ran
SELECT x AS expr, try(x) AS result, try(format('pg_typeof(%s)', x)) AS type FROM unnest(ARRAY[
  $$'[1.23456]'::vector <-> '[0]'::halfvec$$, $$'[1.23456]'::vector <-> '[0]'::vector$$,
  $$l2_distance('[1.23456]'::halfvec, '[0]'::vector)$$, $$inner_product('[1.23456]'::vector, '[1]'::halfvec)$$,
  $$'[1.23456]'::vector <-> '{}/1'::sparsevec$$, $$'[1.23456]'::halfvec <-> '{}/1'::sparsevec$$,
  $$cosine_distance('[1,2]'::vector, '{1:1}/2'::sparsevec)$$,
  $$'[1.0001]'::vector = '[1]'::halfvec$$, $$'[1.0001]'::vector = '[1]'::vector$$,
  $$'[1,0]'::vector = '{1:1}/2'::sparsevec$$, $$'[1,0]'::halfvec < '{1:1,2:1}/2'::sparsevec$$,
  $$'[1.23456]'::vector + '[0]'::halfvec$$, $$'[1]'::halfvec || '[2]'::vector$$,
  $$'[1,2]'::vector * '[1,2]'::halfvec$$
]) AS x;

-- operators and functions that do not exist for the combination: 42883
-- (casts that do not exist: 42846)
SELECT x AS expr, try(x) FROM unnest(ARRAY[
  $$'[1,2]'::vector + '{1:1}/2'::sparsevec$$, $$'{1:1}/2'::sparsevec + '{1:1}/2'::sparsevec$$,
  $$'{1:1}/2'::sparsevec || '{}/1'::sparsevec$$, $$'{1:1}/2'::sparsevec * '{1:1}/2'::sparsevec$$,
  $$vector_dims('{1:1}/2'::sparsevec)$$, $$vector_norm('[1,2]'::halfvec)$$,
  $$subvector('{1:1}/3'::sparsevec, 1, 1)$$, $$binary_quantize('{1:1}/3'::sparsevec)$$,
  $$'[1,0]'::vector <~> '[1,1]'::vector$$, $$hamming_distance('[1,0]'::vector, '[1,1]'::vector)$$,
  $$'[1,0]'::vector::bit$$, $$B'10'::vector$$
]) AS x;

-- common type of UNION and COALESCE: the implicit direction wins
SELECT pg_typeof(x) FROM (SELECT '[1,2]'::vector UNION ALL SELECT '[1,2]'::halfvec) t(x) LIMIT 1;
SELECT pg_typeof(x) FROM (SELECT '[1,2]'::halfvec UNION ALL SELECT '{}/2'::sparsevec) t(x) LIMIT 1;
SELECT pg_typeof(coalesce(NULL::vector, '{1:1}/2'::sparsevec)),
       pg_typeof(coalesce(NULL::vector, '[1,2]'::halfvec, '{1:1}/2'::sparsevec));

-- assignment casts let a vector(n) column take halfvec and sparsevec values
CREATE TABLE tr_cast (v vector(2), h halfvec(2), s sparsevec(2));
INSERT INTO tr_cast (v) VALUES ('[1.23456,2]'::halfvec), ('{2:5}/2'::sparsevec);
INSERT INTO tr_cast (h) VALUES ('{1:0.1}/2'::sparsevec), ('[1.23456,2]'::vector);
INSERT INTO tr_cast (s) VALUES ('[1.23456,0]'::vector), ('[0,0.1]'::halfvec);
SELECT v, h, s FROM tr_cast;
SELECT try_statement($$INSERT INTO tr_cast (v) VALUES ('{3:5}/3'::sparsevec)$$);
SELECT try_statement($$INSERT INTO tr_cast (v) VALUES ('[1,2,3]'::halfvec)$$);
SELECT try_statement($$INSERT INTO tr_cast (h) VALUES ('{1:70000}/2'::sparsevec)$$);
DROP TABLE tr_cast;

-- every cast between the three types and arrays, with its context
SELECT castcontext, castsource::regtype, casttarget::regtype FROM pg_cast
 WHERE castsource IN ('vector'::regtype, 'halfvec'::regtype, 'sparsevec'::regtype)
    OR casttarget IN ('vector'::regtype, 'halfvec'::regtype, 'sparsevec'::regtype)
 ORDER BY castsource::regtype::text, casttarget::regtype::text;
