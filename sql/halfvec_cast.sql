-- halfvec: casts (docs/reference.md 3.3, 4).

-- halfvec -> halfvec(n): typmod check only, value unchanged
SELECT '[1,2,3]'::halfvec::halfvec(3), try($$'[1,2,3]'::halfvec::halfvec(2)$$);
SELECT halfvec('[1,2]'::halfvec, 2, true), halfvec('[0.1,2]'::halfvec, -1, false),
       try($$halfvec('[1,2]'::halfvec, 3, false)$$);

-- halfvec -> vector: exact widening, typmod checked
SELECT '[1.23456,65504,-0,5.9604645e-08,6.0975552e-05]'::halfvec::vector;
SELECT '[1,2,3]'::halfvec::vector(3), try($$'[1,2,3]'::halfvec::vector(2)$$);
SELECT halfvec_to_vector('[0.1]'::halfvec, -1, false), try($$halfvec_to_vector('[1,2]'::halfvec, 3, true)$$);

-- vector -> halfvec: round to nearest even; a finite value that rounds to
-- infinity is 22003; underflow gives 0, -0 or a subnormal; typmod checked
SELECT x AS expr, try(x) FROM unnest(ARRAY[
  $$'[1.23456,0.1,-0,65504]'::vector::halfvec$$,
  $$'[65519,-65519]'::vector::halfvec$$,
  $$'[2049,2051,2049.0001]'::vector::halfvec$$,
  $$'[1e-8,-1e-8,3e-8,1e-45]'::vector::halfvec$$,
  $$'[65520]'::vector::halfvec$$, $$'[-65520]'::vector::halfvec$$,
  $$'[70000]'::vector::halfvec$$, $$'[1,3e38]'::vector::halfvec$$,
  $$'[1,2,3]'::vector::halfvec(3)$$, $$'[1,2]'::vector::halfvec(3)$$,
  $$'[70000,1]'::vector::halfvec(3)$$,
  $$vector_to_halfvec('[1,2]'::vector, 2, false)$$, $$vector_to_halfvec('[1,2]'::vector, 3, false)$$,
  $$vector_to_halfvec('[70000]'::vector, -1, true)$$
]) AS x;

-- halfvec -> real[]: exact widening, 1-D, lower bound 1
SELECT '[1.23456,-0,5.9604645e-08]'::halfvec::real[], halfvec_to_float4('[0.1,65504]'::halfvec, -1, false);
SELECT array_lower('[1,2,3]'::halfvec::real[], 1), array_upper('[1,2,3]'::halfvec::real[], 1),
       array_ndims('[1,2,3]'::halfvec::real[]);

-- arrays -> halfvec: each element goes to float32 (as for vector), then to
-- binary16 (22003 if a finite value overflows)
SELECT '{1,2,3}'::int[]::halfvec, '{1.5,0.1}'::real[]::halfvec, '{1.5,0.1}'::float8[]::halfvec,
       '{1.5,0.1}'::numeric[]::halfvec;
SELECT ARRAY[2049, 2051, 65519]::halfvec, ARRAY[2049.0001::float8]::halfvec, ARRAY[2049.0001]::halfvec,
       ARRAY[1e-50::float8, -1e-50, 3e-8]::halfvec, '{-1e-8,-0}'::real[]::halfvec;
SELECT array_to_halfvec('{1,2}'::int[], 2, false), array_to_halfvec('{1,2}'::real[], -1, true),
       array_to_halfvec('{1,2}'::float8[], -1, false), array_to_halfvec('{1,2}'::numeric[], -1, false);

-- array rules, in order: 1-D (22000), NULLs (22004), length 0 (22000) or
-- above 16000 (54000), typmod (22000), conversion (22003), NaN/Infinity (22000)
SELECT x AS expr, try(x) FROM unnest(ARRAY[
  $$'{{1,2},{3,4}}'::int[]::halfvec$$, $$'{{NULL,2},{3,4}}'::int[]::halfvec$$, $$'{{1}}'::real[]::halfvec$$,
  $$'{1,NULL}'::real[]::halfvec$$, $$'{NULL}'::numeric[]::halfvec$$,
  $$'{}'::real[]::halfvec$$, $$'{}'::int[]::halfvec(2)$$,
  $$array_fill(1, ARRAY[16001])::halfvec$$, $$array_fill(1, ARRAY[16001])::halfvec(3)$$,
  $$'{1,2}'::real[]::halfvec(3)$$, $$'{1,NaN}'::real[]::halfvec(3)$$, $$'{1,70000}'::real[]::halfvec(3)$$,
  $$ARRAY[65520]::halfvec$$, $$ARRAY[-70000]::halfvec$$, $$ARRAY[16777217]::halfvec$$,
  $$'{70000}'::real[]::halfvec$$, $$'{70000}'::float8[]::halfvec$$, $$'{70000}'::numeric[]::halfvec$$,
  $$'{NaN,70000}'::real[]::halfvec$$,       -- every conversion before the NaN check
  $$'{1,NaN}'::real[]::halfvec$$, $$'{Infinity}'::real[]::halfvec$$, $$'{-Infinity}'::float8[]::halfvec$$,
  $$'{1e39}'::float8[]::halfvec$$,           -- float32 infinity: 22000
  $$'{1e39,70000}'::float8[]::halfvec$$,     -- the finite overflow wins: 22003
  $$'{NaN}'::numeric[]::halfvec$$, $$'{Infinity}'::numeric[]::halfvec$$,
  $$'{1e39}'::numeric[]::halfvec$$,          -- PostgreSQL's numeric to real: 22003
  $$'{1e-50}'::numeric[]::halfvec$$,
  $$'{1,2}'::smallint[]::halfvec$$, $$'{1,2}'::bigint[]::halfvec$$, $$'{1,2}'::text[]::halfvec$$
]) AS x;
SELECT vector_dims(array_fill(1, ARRAY[16000])::halfvec), vector_dims(array_fill(1, ARRAY[16000])::halfvec(16000));

-- assignment casts on INSERT: arrays of the four types, vector and sparsevec
CREATE TABLE hv_cast (v halfvec(3));
INSERT INTO hv_cast VALUES (ARRAY[1, 2, 3]), (ARRAY[1.5::real, 2, 3]), (ARRAY[1.5::float8, 2, 3]),
                           (ARRAY[1.5, 2.5, 3.5]), ('[1.23456,5,6]'::vector), ('{1:1,3:0.1}/3'::sparsevec),
                           ('[7,8,9]');
SELECT v FROM hv_cast;
SELECT try_statement($$INSERT INTO hv_cast VALUES (ARRAY[1,2])$$);
SELECT try_statement($$INSERT INTO hv_cast VALUES ('[1,2]'::vector)$$);
SELECT try_statement($$INSERT INTO hv_cast VALUES ('[1,2,70000]'::vector)$$);
SELECT try_statement($$INSERT INTO hv_cast VALUES (ARRAY[1,NULL,3])$$);
SELECT try_statement($$INSERT INTO hv_cast VALUES ('{1:1}/4'::sparsevec)$$);
DROP TABLE hv_cast;

-- halfvec -> real[] is assignment only: a real[] parameter does not take halfvec
CREATE FUNCTION hv_takes_reals(real[]) RETURNS int LANGUAGE sql AS 'SELECT cardinality($1)';
SELECT try($$hv_takes_reals('[1,2]'::halfvec)$$), hv_takes_reals('[1,2]'::halfvec::real[]);
DROP FUNCTION hv_takes_reals(real[]);

-- vector converts implicitly to halfvec: mixed arithmetic gives halfvec
SELECT pg_typeof('[1,2]'::vector + '[3,4]'::halfvec), '[1.23456,2]'::vector + '[0,0]'::halfvec;
SELECT pg_typeof('[1,2]'::halfvec - '[3,4]'::vector), pg_typeof('[1]'::vector || '[2]'::halfvec),
       '[1]'::vector || '[0.1]'::halfvec;
SELECT try($$'[70000]'::vector + '[0]'::halfvec$$);

SELECT castcontext, castsource::regtype, casttarget::regtype, castfunc::regprocedure FROM pg_cast
 WHERE castsource = 'halfvec'::regtype OR casttarget = 'halfvec'::regtype
 ORDER BY castsource::regtype::text, casttarget::regtype::text;
