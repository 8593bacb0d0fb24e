-- vector: casts (docs/reference.md 4).

SELECT '{1,2,3}'::int[]::vector, '{1.5,2.5}'::real[]::vector, '{1.5,2.5}'::float8[]::vector,
       '{1.5,2.5}'::numeric[]::vector;
SELECT ARRAY[16777217]::vector, ARRAY[0.1::float8]::vector, ARRAY[1e-50::float8, -1e-50]::vector,
       ARRAY[0.1::numeric]::vector;
SELECT '[1,2,3]'::vector::real[], '[-0,1e-45]'::vector::real[];
SELECT array_lower('[1,2,3]'::vector::real[], 1), array_upper('[1,2,3]'::vector::real[], 1);

-- typmod coercion
SELECT '[1,2,3]'::vector::vector(3);
SELECT try($$'[1,2,3]'::vector::vector(2)$$);
SELECT vector('[1,2]'::vector, 2, true), try($$vector('[1,2]'::vector, 3, false)$$);

-- array rules, in order: 1-D, NULLs, length, typmod, conversion, NaN/Infinity
SELECT x AS expr, try(x) FROM unnest(ARRAY[
  $$'{{1,2},{3,4}}'::int[]::vector$$, $$'{{NULL,2},{3,4}}'::int[]::vector$$,
  $$'{1,NULL}'::real[]::vector$$, $$'{}'::real[]::vector$$, $$'{}'::real[]::vector(2)$$,
  $$array_fill(1, ARRAY[16001])::vector$$, $$'{1,2}'::real[]::vector(3)$$,
  $$'{1,NaN}'::real[]::vector(3)$$, $$'{1,NaN}'::real[]::vector$$, $$'{Infinity}'::real[]::vector$$,
  $$'{1e39}'::float8[]::vector$$, $$'{-1e39,NaN}'::float8[]::vector$$,
  $$'{NaN}'::numeric[]::vector$$, $$'{1e39}'::numeric[]::vector$$, $$'{1e39,NaN}'::numeric[]::vector$$,
  $$'{1,2}'::smallint[]::vector$$, $$'{1,2}'::bigint[]::vector$$, $$'{1,2}'::text[]::vector$$
]) AS x;
SELECT vector_dims(array_fill(1, ARRAY[16000])::vector);

-- assignment casts on INSERT; real[] is implicit
CREATE TABLE cast_test (v vector(2));
INSERT INTO cast_test VALUES (ARRAY[1, 2]), (ARRAY[1.5::real, 2]), (ARRAY[1.5::float8, 2]),
                             (ARRAY[1.5, 2.5]), ('[5,6]');
SELECT v FROM cast_test;
SELECT try_statement($$INSERT INTO cast_test VALUES (ARRAY[1,2,3])$$);
SELECT try_statement($$INSERT INTO cast_test VALUES ('[1,2,3]')$$);
DROP TABLE cast_test;
CREATE FUNCTION takes_reals(real[]) RETURNS int LANGUAGE sql AS 'SELECT cardinality($1)';
SELECT takes_reals('[1,2]'::vector);
DROP FUNCTION takes_reals(real[]);
SELECT castcontext, castsource::regtype, casttarget::regtype FROM pg_cast
 WHERE castsource = 'vector'::regtype OR casttarget = 'vector'::regtype ORDER BY castsource::regtype::text, casttarget::regtype::text;
