-- sparsevec: casts (docs/reference.md 3.3, 4).

-- sparsevec -> sparsevec(n): typmod (dims) check only
SELECT '{1:1}/3'::sparsevec::sparsevec(3), try($$'{1:1}/3'::sparsevec::sparsevec(2)$$);
SELECT sparsevec('{1:1}/3'::sparsevec, 3, true), sparsevec('{}/1000000000'::sparsevec, -1, false),
       try($$sparsevec('{1:1}/3'::sparsevec, 4, false)$$);

-- sparsevec -> vector: densify (missing elements are 0); more than 16000 dims is 54000
SELECT x AS expr, try(x) FROM unnest(ARRAY[
  $$'{1:1,3:2}/5'::sparsevec::vector$$, $$'{}/3'::sparsevec::vector$$,
  $$'{2:1e-45,3:-3.4028235e38}/3'::sparsevec::vector$$,
  $$'{1:1,3:2}/5'::sparsevec::vector(5)$$, $$'{1:1,3:2}/5'::sparsevec::vector(4)$$,
  $$vector_dims('{16000:1}/16000'::sparsevec::vector)$$,
  $$'{}/16001'::sparsevec::vector$$, $$'{1:1}/1000000000'::sparsevec::vector$$,
  $$'{}/16001'::sparsevec::vector(3)$$,
  $$sparsevec_to_vector('{2:2}/2'::sparsevec, -1, false)$$, $$sparsevec_to_vector('{2:2}/2'::sparsevec, 3, true)$$
]) AS x;

-- vector -> sparsevec: keep the non-zero elements (0 and -0 are dropped)
SELECT x AS expr, try(x) FROM unnest(ARRAY[
  $$'[1,0,-0,2]'::vector::sparsevec$$, $$'[0,0]'::vector::sparsevec$$, $$'[-0]'::vector::sparsevec$$,
  $$'[1e-45,-3.4028235e38,0.1]'::vector::sparsevec$$,
  $$'[1,0,2]'::vector::sparsevec(3)$$, $$'[1,0,2]'::vector::sparsevec(4)$$,
  $$vector_to_sparsevec('[0,5]'::vector, 2, false)$$, $$vector_to_sparsevec('[0,5]'::vector, 1, false)$$,
  $$array_fill(1::real, ARRAY[16000])::vector::sparsevec = array_fill(1::real, ARRAY[16000])::sparsevec$$
]) AS x;

-- sparsevec -> halfvec: densify and round; overflow 22003; more than 16000 dims 54000
SELECT x AS expr, try(x) FROM unnest(ARRAY[
  $$'{1:1.23456,3:2}/4'::sparsevec::halfvec$$, $$'{}/2'::sparsevec::halfvec$$,
  $$'{2:65519}/2'::sparsevec::halfvec$$, $$'{1:1e-8,2:-1e-8,3:3e-8}/3'::sparsevec::halfvec$$,
  $$'{1:70000}/2'::sparsevec::halfvec$$, $$'{2:-65520}/2'::sparsevec::halfvec$$,
  $$'{1:3e38}/1'::sparsevec::halfvec$$,
  $$'{1:1}/4'::sparsevec::halfvec(4)$$, $$'{1:1}/4'::sparsevec::halfvec(3)$$,
  $$vector_dims('{16000:1}/16000'::sparsevec::halfvec)$$,
  $$'{}/16001'::sparsevec::halfvec$$, $$'{1:70000}/16001'::sparsevec::halfvec$$,
  $$sparsevec_to_halfvec('{1:1}/2'::sparsevec, -1, false)$$, $$sparsevec_to_halfvec('{1:1}/2'::sparsevec, 1, false)$$
]) AS x;

-- halfvec -> sparsevec: keep the non-zero halves (subnormals too), widened exactly
SELECT x AS expr, try(x) FROM unnest(ARRAY[
  $$'[1,0,-0,5.9604645e-08,-65504,0.1]'::halfvec::sparsevec$$, $$'[0,0]'::halfvec::sparsevec$$,
  $$'[1e-8,1]'::halfvec::sparsevec$$,
  $$'[0,1]'::halfvec::sparsevec(2)$$, $$'[0,1]'::halfvec::sparsevec(3)$$,
  $$halfvec_to_sparsevec('[6.0975552e-05]'::halfvec, -1, false)$$, $$halfvec_to_sparsevec('[1]'::halfvec, 2, true)$$
]) AS x;

-- arrays -> sparsevec: dims = array length, elements converted to float32
-- as for vector, then zeros dropped
SELECT '{1,0,2}'::int[]::sparsevec, '{0,-0,1.5}'::real[]::sparsevec,
       '{1e-50,0.5,-1e-50}'::float8[]::sparsevec, '{0.1,0,0.000}'::numeric[]::sparsevec;
SELECT ARRAY[16777217, 0]::sparsevec, '{0,0,0}'::int[]::sparsevec, array_fill(0, ARRAY[100000])::sparsevec;
SELECT array_to_sparsevec('{0,2}'::int[], 2, false), array_to_sparsevec('{0,2}'::real[], -1, true),
       array_to_sparsevec('{0,2}'::float8[], -1, false), array_to_sparsevec('{0,2}'::numeric[], -1, false);
-- 16000 non-zero elements among more zeros are fine
SELECT (array_fill(1, ARRAY[16000]) || array_fill(0, ARRAY[20000]))::sparsevec
       = ('{' || (SELECT string_agg(i || ':1', ',' ORDER BY i) FROM generate_series(1, 16000) i) || '}/36000')::sparsevec
       AS nnz_16000;

-- array rules, in order: 1-D (22000), NULLs (22004), length 0 (22000),
-- typmod (22000), conversion, NaN/Infinity (22000); then nnz > 16000 (54000)
SELECT x AS expr, try(x) FROM unnest(ARRAY[
  $$'{{1,2},{3,4}}'::int[]::sparsevec$$, $$'{{NULL,2},{3,4}}'::int[]::sparsevec$$, $$'{{0}}'::real[]::sparsevec$$,
  $$'{1,NULL}'::real[]::sparsevec$$, $$'{NULL}'::float8[]::sparsevec$$, $$'{0,NULL}'::numeric[]::sparsevec$$,
  $$'{}'::real[]::sparsevec$$, $$'{}'::int[]::sparsevec(2)$$,
  $$'{1,2}'::real[]::sparsevec(3)$$, $$'{0,0}'::int[]::sparsevec(3)$$, $$'{1,NaN}'::real[]::sparsevec(3)$$,
  $$'{1,NaN}'::real[]::sparsevec$$, $$'{0,Infinity}'::real[]::sparsevec$$, $$'{-Infinity}'::float8[]::sparsevec$$,
  $$'{1e39}'::float8[]::sparsevec$$,         -- float32 infinity: 22000
  $$'{NaN}'::numeric[]::sparsevec$$, $$'{Infinity}'::numeric[]::sparsevec$$,
  $$'{1e39}'::numeric[]::sparsevec$$,        -- PostgreSQL's numeric to real: 22003
  $$'{0,1e39,NaN}'::numeric[]::sparsevec$$, $$'{1e-50}'::numeric[]::sparsevec$$,
  $$array_fill(1, ARRAY[16001])::sparsevec$$, $$array_fill(1.5::float8, ARRAY[16001])::sparsevec$$,
  $$(array_fill(1, ARRAY[16001]) || ARRAY[NULL::int])::sparsevec$$,
  $$'{1,2}'::smallint[]::sparsevec$$, $$'{1,2}'::bigint[]::sparsevec$$, $$'{1,2}'::text[]::sparsevec$$
]) AS x;

-- assignment casts on INSERT: arrays of the four types; vector and halfvec
-- convert implicitly
CREATE TABLE sv_cast (v sparsevec(5));
INSERT INTO sv_cast VALUES (ARRAY[1, 0, 2, 0, 0]), (ARRAY[0, 0, 0, 0, 1.5::real]), (ARRAY[1.5::float8, 0, 0, 0, 0]),
                           (ARRAY[0, 0.5, 0, 0, 0]), ('[0,0,3,0,-0]'::vector), ('[0,0,0,0.1,0]'::halfvec),
                           ('{5:5}/5');
SELECT v FROM sv_cast;
SELECT try_statement($$INSERT INTO sv_cast VALUES (ARRAY[1,2,3])$$);
SELECT try_statement($$INSERT INTO sv_cast VALUES ('[1,2,3]'::vector)$$);
SELECT try_statement($$INSERT INTO sv_cast VALUES ('[1,2,3]'::halfvec)$$);
SELECT try_statement($$INSERT INTO sv_cast VALUES ('{1:1}/4')$$);
SELECT try_statement($$INSERT INTO sv_cast VALUES (ARRAY[0,0,0,0,NULL]::int[])$$);
DROP TABLE sv_cast;

-- vector and halfvec convert implicitly to sparsevec (and not back), so
-- vector <op> sparsevec and halfvec <op> sparsevec use the sparsevec operators
SELECT '[1,2]'::vector <-> '{1:3,2:4}/2'::sparsevec AS l2, '[1,2]'::vector <#> '{1:3,2:4}/2'::sparsevec AS neg_ip,
       '[1,2]'::vector <=> '{1:3,2:4}/2'::sparsevec AS cosine, '[1,2]'::vector <+> '{1:3,2:4}/2'::sparsevec AS l1,
       '[1.23456]'::halfvec <-> '{}/1'::sparsevec AS from_halfvec;
SELECT try($$'[1,2]'::vector <-> '{1:1}/3'::sparsevec$$);
CREATE TABLE sv_mixed (v vector(2), h halfvec(2), s sparsevec(2));
EXPLAIN (VERBOSE, COSTS OFF) SELECT v <-> s, s <#> v, v <=> s, v <+> s FROM sv_mixed;
EXPLAIN (VERBOSE, COSTS OFF) SELECT h <-> s, v < s, h = s, l2_distance(v, s), inner_product(s, h) FROM sv_mixed;
DROP TABLE sv_mixed;

SELECT castcontext, castsource::regtype, casttarget::regtype, castfunc::regprocedure FROM pg_cast
 WHERE castsource = 'sparsevec'::regtype OR casttarget = 'sparsevec'::regtype
 ORDER BY castsource::regtype::text, casttarget::regtype::text;
