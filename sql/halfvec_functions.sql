-- halfvec: distances, norms, the other functions, comparison and btree ordering
-- (docs/reference.md 4, 5, 6.1, 6.2, 6.5).

-- reference values: elements widened to float32, sums in float32
SELECT l2_distance('[0,0]'::halfvec, '[1,1]'), '[0,0]'::halfvec <-> '[1,1]';
SELECT cosine_distance('[1,2,3]'::halfvec, '[4,5,6]'), '[1,2,3]'::halfvec <=> '[4,5,6]';
SELECT inner_product('[1,2,3]'::halfvec, '[4,5,6]'), '[1,2,3]'::halfvec <#> '[4,5,6]';
SELECT l1_distance('[1,2,3]'::halfvec, '[4,5,7]'), '[1,2,3]'::halfvec <+> '[4,5,7]';
SELECT halfvec_l2_squared_distance('[1,2,3]', '[4,5,6]'),
       halfvec_negative_inner_product('[1,2,3]', '[4,5,6]');
SELECT halfvec_spherical_distance('[1,0]', '[0,1]'), halfvec_spherical_distance('[1,0]', '[-1,0]'),
       halfvec_spherical_distance('[1,0]', '[1,0]'), halfvec_spherical_distance('[2,0]', '[2,0]');
SELECT pg_typeof(l2_distance('[1]'::halfvec, '[2]')), pg_typeof('[1]'::halfvec <#> '[2]');

-- the stored binary16 values are used: 0.1 is 0.0999755859375, 1.23456 is 1.234375
SELECT l2_distance('[0.1]'::halfvec, '[0]'), inner_product('[0.1]'::halfvec, '[1]'),
       l1_distance('[1.23456]'::halfvec, '[0]');
-- the extremes stay finite in float32; subnormals take part
SELECT l2_distance('[65504,65504]'::halfvec, '[-65504,-65504]'),
       inner_product('[65504,65504]'::halfvec, '[65504,65504]'),
       l1_distance('[65504]'::halfvec, '[-65504]'), cosine_distance('[65504]'::halfvec, '[65504]');
SELECT l2_distance('[5.9604645e-08]'::halfvec, '[0]'),
       cosine_distance('[5.9604645e-08,0]'::halfvec, '[0,5.9604645e-08]');

-- zero norm makes cosine NaN; the similarity is clamped, so the distance is in [0, 2]
SELECT cosine_distance('[1,2]'::halfvec, '[0,0]'), cosine_distance('[0,0]'::halfvec, '[0,0]'),
       cosine_distance('[-0,0]'::halfvec, '[1,1]');
SELECT cosine_distance('[1,1]'::halfvec, '[1,1]'), cosine_distance('[1,1]'::halfvec, '[-1,-1]'),
       cosine_distance(v, v) >= 0 AS nonnegative
  FROM (VALUES ('[0.1,0.2,0.3,0.4,0.5,0.6,0.7]'::halfvec)) t(v);

-- different dims: 22000 from every binary function and distance operator
SELECT f, try(format('%s(''[1,2]''::halfvec, ''[1,2,3]''::halfvec)', f)) FROM unnest(ARRAY[
  'l2_distance', 'inner_product', 'cosine_distance', 'l1_distance',
  'halfvec_l2_squared_distance', 'halfvec_negative_inner_product', 'halfvec_spherical_distance',
  'halfvec_add', 'halfvec_sub', 'halfvec_mul'
]) AS f;
SELECT op, try(format('''[1,2]''::halfvec %s ''[1,2,3]''::halfvec', op))
  FROM unnest(ARRAY['<->', '<#>', '<=>', '<+>']) AS op;

-- dims and norms (l2_norm accumulates in float64)
SELECT vector_dims('[1,2,3]'::halfvec), vector_dims(('[' || repeat('0,', 15999) || '0]')::halfvec);
SELECT l2_norm('[3,4]'::halfvec), l2_norm('[0,0]'::halfvec), l2_norm('[-0]'::halfvec),
       l2_norm('[65504,65504]'::halfvec), l2_norm('[5.9604645e-08]'::halfvec), l2_norm('[0.1]'::halfvec);

-- l2_normalize: divide by the float64 norm and round to binary16; a zero
-- vector stays a zero vector of the same dims
SELECT l2_normalize('[3,4]'::halfvec), l2_normalize('[0,0]'::halfvec), l2_normalize('[-0,0,0]'::halfvec),
       l2_normalize('[65504,65504]'::halfvec), l2_normalize('[5.9604645e-08]'::halfvec),
       l2_normalize('[-2]'::halfvec), l2_normalize('[1,1,1]'::halfvec);
SELECT pg_typeof(l2_normalize('[1]'::halfvec)), vector_dims(l2_normalize('[0,0,0,0,0]'::halfvec));

-- binary_quantize: bit i is 1 exactly when element i > 0
SELECT binary_quantize('[1,0,-1]'::halfvec),
       binary_quantize('[-0,5.9604645e-08,-5.9604645e-08,1e-8]'::halfvec),
       binary_quantize('[1,1,1,1,1,1,1,1,0,1]'::halfvec),
       bit_length(binary_quantize(('[' || repeat('1,', 15999) || '1]')::halfvec));
SELECT pg_typeof(binary_quantize('[1]'::halfvec)), binary_quantize('[1,2,3]'::halfvec)::bit(3);

-- subvector(v, start, count): 1-based, like substring
SELECT ARRAY[s, c] AS start_count, try(format('subvector(''[1,2,3,4,5]''::halfvec, %s, %s)', s, c))
  FROM (VALUES (1, 3), (3, 2), (3, 9), (3, 2147483647), (-1, 3), (-2147483644, 2147483647),
               (1, 5), (5, 1), (1, 0), (3, -1), (-1, 2), (6, 1), (2147483647, 10),
               (-2147483648, -2147483648), (-2147483648, 2147483647)) AS t(s, c);
SELECT pg_typeof(subvector('[1,2,3]'::halfvec, 1, 2)), subvector('[1.23456,0.1,-0]'::halfvec, 2, 2);

-- comparison: element by element, then fewer dims first; -0 = 0; values
-- compare after rounding to binary16 (2.0004 is stored as 2)
SELECT a, b, halfvec_cmp(a, b), a < b AS lt, a <= b AS le, a = b AS eq, a <> b AS ne,
       a >= b AS ge, a > b AS gt
  FROM (VALUES ('[1,2]'::halfvec, '[1,2,3]'::halfvec), ('[1,2]', '[2,3,4]'), ('[2,3]', '[1,2,3]'),
               ('[1,2,3]', '[1,2,3]'), ('[-0]', '[0]'), ('[1,2,4]', '[1,2,3]'),
               ('[-1]', '[5.9604645e-08]'), ('[1,2.0004]', '[1,2]'), ('[65519]', '[65504]'),
               ('[1,2]', '[1,2,-1]'), ('[0.1]', '[0.09999]')) AS t(a, b);
SELECT halfvec_lt('[1]', '[2]'), halfvec_le('[2]', '[2]'), halfvec_eq('[1,2]', '[1,2]'),
       halfvec_ne('[1,2]', '[1,2]'), halfvec_ge('[1]', '[1,0]'), halfvec_gt('[3]', '[2,9]');

-- the btree opclass: ORDER BY, DISTINCT, GROUP BY, btree and UNIQUE indexes
CREATE TABLE hv_ordered (id int, v halfvec);
INSERT INTO hv_ordered VALUES (1, '[1,2,3]'), (2, '[1,2]'), (3, '[2]'), (4, '[0,5]'), (5, NULL),
                              (6, '[1,2]'), (7, '[-0,5]'), (8, '[-1,100]'), (9, '[1,2.0004]'),
                              (10, '[5.9604645e-08]');
SELECT id, v FROM hv_ordered ORDER BY v, id;
SELECT id, v FROM hv_ordered ORDER BY v DESC, id;
-- equal keys ([0,5] and [-0,5]) form one group; show the group by its
-- first id, as which equal value a sort keeps is not defined
SELECT DISTINCT ON (v) v, id FROM hv_ordered ORDER BY v, id;
SELECT min(id), count(*) FROM hv_ordered GROUP BY v ORDER BY v;
CREATE INDEX ON hv_ordered (v);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM hv_ordered WHERE v = '[1,2]';
SELECT id FROM hv_ordered WHERE v = '[1,2]' ORDER BY id;
SELECT id FROM hv_ordered WHERE v < '[1,2,3]' ORDER BY v, id;
SELECT id FROM hv_ordered WHERE v >= '[1,2]' ORDER BY v, id;
RESET enable_seqscan;
CREATE TABLE hv_uniq (v halfvec UNIQUE);
INSERT INTO hv_uniq VALUES ('[1,2]'), ('[1,2,0]'), ('[0.1]');
SELECT try_statement($$INSERT INTO hv_uniq VALUES ('[1,2]')$$);
SELECT try_statement($$INSERT INTO hv_uniq VALUES ('[1,2.0004]')$$);
SELECT try_statement($$INSERT INTO hv_uniq VALUES ('[0.09999]')$$);
SELECT try_statement($$INSERT INTO hv_uniq VALUES ('[-0,2]')$$);
DROP TABLE hv_ordered, hv_uniq;

-- vector converts implicitly to halfvec (and not back), so vector <op> halfvec
-- resolves to the halfvec operator: the vector side is rounded to binary16 first
SELECT '[1.23456]'::vector <-> '[0]'::halfvec AS mixed,
       '[1.23456]'::halfvec <-> '[0]'::halfvec AS as_halfvec,
       '[1.23456]'::vector <-> '[0]'::vector AS as_vector;
SELECT '[0.1]'::vector <#> '[1]'::halfvec AS mixed_ip, '[1,2]'::vector <=> '[0,0]'::halfvec AS mixed_cosine,
       '[1.23456]'::vector <+> '[0]'::halfvec AS mixed_l1;
SELECT try($$'[70000]'::vector <-> '[0]'::halfvec$$);
CREATE TABLE hv_mixed (v vector(2), h halfvec(2));
EXPLAIN (VERBOSE, COSTS OFF) SELECT v <-> h, h <#> v, v <=> h, v <+> h FROM hv_mixed;
EXPLAIN (VERBOSE, COSTS OFF) SELECT l2_distance(v, h), cosine_distance(h, v), v = h FROM hv_mixed;
DROP TABLE hv_mixed;
