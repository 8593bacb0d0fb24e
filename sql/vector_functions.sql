-- vector: distances, norms and the other functions (docs/reference.md 5, 6.1, 6.2).

-- reference values
SELECT l2_distance('[0,0]'::vector, '[1,1]'), '[0,0]'::vector <-> '[1,1]';
SELECT cosine_distance('[1,2,3]'::vector, '[4,5,6]'), '[1,2,3]'::vector <=> '[4,5,6]';
SELECT inner_product('[1,2,3]'::vector, '[4,5,6]'), '[1,2,3]'::vector <#> '[4,5,6]';
SELECT l1_distance('[1,2,3]'::vector, '[4,5,7]'), '[1,2,3]'::vector <+> '[4,5,7]';
SELECT vector_l2_squared_distance('[1,2,3]', '[4,5,6]'),
       vector_negative_inner_product('[1,2,3]', '[4,5,6]');
SELECT vector_spherical_distance('[1,0]', '[0,1]'), vector_spherical_distance('[1,0]', '[-1,0]'),
       vector_spherical_distance('[1,0]', '[1,0]'), vector_spherical_distance('[2,0]', '[2,0]');

-- overflow gives Infinity, never an error; zero or overflowing norms make cosine NaN
SELECT l2_distance('[3e38]'::vector, '[-3e38]'), l1_distance('[3e38]'::vector, '[-3e38]'),
       inner_product('[3e38]'::vector, '[3e38]'), inner_product('[3e38]'::vector, '[-3e38]');
SELECT cosine_distance('[1,2]'::vector, '[0,0]'), cosine_distance('[0,0]'::vector, '[0,0]'),
       cosine_distance('[3e38]'::vector, '[3e38]');
-- the similarity is clamped, so the distance stays within [0, 2]
SELECT cosine_distance('[1,1]'::vector, '[1,1]'), cosine_distance('[1,1]'::vector, '[-1,-1]'),
       cosine_distance(v, v) >= 0 AS nonnegative
  FROM (VALUES ('[0.1,0.2,0.3,0.4,0.5,0.6,0.7]'::vector)) t(v);

-- different dims: 22000 from every binary function
SELECT f, try(format('%s(''[1,2]''::vector, ''[1,2,3]''::vector)', f)) FROM unnest(ARRAY[
  'l2_distance', 'inner_product', 'cosine_distance', 'l1_distance',
  'vector_l2_squared_distance', 'vector_negative_inner_product', 'vector_spherical_distance',
  'vector_add', 'vector_sub', 'vector_mul', 'vector_cmp', 'vector_lt', 'vector_eq'
]) AS f;
SELECT try($$'[1,2]'::vector <-> '[1,2,3]'$$);

-- an untyped literal against a vector takes the vector's type
SELECT '[1,2]' <-> '[3,4]'::vector;

-- dims and norms
SELECT vector_dims('[1,2,3]'::vector), vector_dims(('[' || repeat('0,', 15999) || '0]')::vector);
SELECT vector_norm('[3,4]'), vector_norm('[3e37,4e37]'), vector_norm('[0,0]'), vector_norm('[-0]');

-- l2_normalize: float64 norm, zero vector stays zero
SELECT l2_normalize('[3,4]'::vector), l2_normalize('[0,0]'::vector), l2_normalize('[3e38,3e38]'::vector),
       l2_normalize('[1e-45]'::vector), l2_normalize('[-2]'::vector);

-- binary_quantize: bit i is 1 exactly when element i > 0
SELECT binary_quantize('[1,0,-1]'::vector), binary_quantize('[-0,1e-45,-1e-45]'::vector),
       binary_quantize('[1,1,1,1,1,1,1,1,0,1]'::vector),
       bit_length(binary_quantize(('[' || repeat('1,', 15999) || '1]')::vector));
SELECT pg_typeof(binary_quantize('[1]'::vector)), binary_quantize('[1,2,3]'::vector)::bit(3);

-- subvector(v, start, count): 1-based, like substring
SELECT ARRAY[s, c] AS start_count, try(format('subvector(''[1,2,3,4,5]''::vector, %s, %s)', s, c))
  FROM (VALUES (1, 3), (3, 2), (3, 9), (3, 2147483647), (-1, 3), (-2147483644, 2147483647),
               (1, 5), (5, 1), (1, 0), (3, -1), (-1, 2), (6, 1), (2147483647, 10),
               (-2147483648, -2147483648), (-2147483648, 2147483647)) AS t(s, c);

-- inner products whose float32 sums overflow are ±Infinity, never NaN (a
-- NaN would sort after every row under <#>, -Infinity sorts first); a
-- sum that overflows only on the way is its float64 value
SELECT inner_product(array_fill(1e19::real, ARRAY[40])::vector, array_fill(1e19::real, ARRAY[40])::vector) AS dense_40,
       '[3e38,3e38,-3e38]'::vector <#> '[2,2,1]' AS dense_mixed,
       '{1:1e20,2:-3e38}/2'::sparsevec <#> '{1:1e20,2:7}/2' AS sparse_mixed,
       inner_product('{1:1e20,2:-3e38}/2'::sparsevec, '{1:1e20,2:-7}/2') AS sparse_positive,
       inner_product((array_fill(1e19::real, ARRAY[20]) || array_fill(-1e19::real, ARRAY[21]))::vector,
                     array_fill(1e19::real, ARRAY[41])::vector) AS dense_back_in_range;
