-- halfvec: text input, output, type modifiers and sizes (SPEC.md 2.1, 2.3, 2.4, 2.6).

-- accepted spellings (the grammar is vector's; NUM is C strtof, then binary16)
SELECT x AS literal, try(format('%L::halfvec', x)) AS result FROM unnest(ARRAY[
  '[1,2,3]', ' [ 1,  2 ,    3  ] ', '[1.,2.,3.]', '[+5,.5]',
  chr(9) || '[' || chr(10) || '1' || chr(13) || ',' || chr(11) || '2' || chr(12) || ']' || chr(10),
  '[1e-3,1E+2,-1.5]', '[0x1p3]', '[-0]', '[1e-46,1]', '[-1e-46,1]', '[1e-40]'
]) AS x;

-- rejected spellings: 22P02 syntax, 22000 dims/NaN/infinity, 22003 overflow
SELECT x AS literal, try(format('%L::halfvec', x)) AS result FROM unnest(ARRAY[
  '', '1,2,3', '(1,2)', '{1,2}', '[', '[ ', '[,', '[,]', '[1,]', '[1,,3]', '[1, ,3]',
  '[1 2]', '[1a]', '[hello,1]', '[1,2,3', '[1,2,3]9', '[1,2,3] x',
  '[]', '[ ]', '[NaN]', '[1,nan]', '[Infinity]', '[-Infinity]', '[inf]', '[-INF,1]', '[infinity]',
  '[4e38]', '[-4e38]', '[1e39]', '[1,1e39,NaN]', '[NaN,1e39]', '[1e39,x]'
]) AS x;

-- binary16 range: a finite float32 that rounds to infinity in binary16
-- (|x| >= 65520) is 22003; 65519 rounds down to 65504. Elements are checked
-- left to right, and within an element the range check (22003) comes before
-- the NaN/infinity check (22000).
SELECT x AS literal, try(format('%L::halfvec', x)) AS result FROM unnest(ARRAY[
  '[65504]', '[-65504]', '[65519]', '[-65519]',
  '[65519.99]',     -- float32 65519.98828125: still rounds to 65504
  '[65519.999]',    -- float32 65520: 22003
  '[65520]', '[-65520]', '[70000]', '[1e5]', '[3.4e38]',
  '[65520,NaN]', '[NaN,65520]', '[Infinity,65520]', '[65520,Infinity]',
  '[1,65520,x]', '[1,x,65520]'
]) AS x;

-- rounding: the literal is parsed to float32 first, then rounded to the
-- nearest binary16, ties to even
SELECT x AS literal, try(format('%L::halfvec', x)) AS result FROM unnest(ARRAY[
  '[2049]',             -- tie between 2048 and 2050: 2048
  '[2051]',             -- tie between 2050 and 2052: 2052
  '[-2049]',            -- -2048
  '[2049.0001]',        -- float32 2049 exactly, then the tie: 2048
  '[2049.0002]',        -- float32 2049.000244: 2050
  '[1.00048828125]',    -- 1 + 2^-11, tie: 1
  '[1.00146484375]',    -- 1 + 3 * 2^-11, tie: 1 + 2^-9 = 1.0019531
  '[1e-8]', '[-1e-8]',  -- below half the smallest subnormal: 0 and -0
  '[3e-8]', '[-3e-8]',  -- just above it: +-5.9604645e-08
  '[0x1p-25]',          -- exactly half the smallest subnormal, tie: 0
  '[0x1.000002p-25]',   -- a float32 step above: 5.9604645e-08
  '[0x3p-25]',          -- 1.5 subnormal steps, tie: 1.1920929e-07
  '[6.0975552e-05]', '[6.1035156e-05]',  -- largest subnormal, smallest normal
  '[1.23456]', '[0.1]', '[0.333]'
]) AS x;

-- output: each element is widened exactly to float32 and printed as
-- PostgreSQL's shortest-exact float4, whatever extra_float_digits says
SELECT '[1.23456,0.1,65504,-0,6.1035156e-05,5.9604645e-08]'::halfvec;
SELECT '[123456e-2,0.0001,0.00001,1.5e-7]'::halfvec;
SET extra_float_digits = -3;
SELECT '[1.23456,0.1,5.9604645e-08]'::halfvec;
SET extra_float_digits = 3;
SELECT '[1.23456,0.1,5.9604645e-08]'::halfvec;
RESET extra_float_digits;
-- the printed text reads back to the same value (every pattern: halfvec_binary)
SELECT v::text::halfvec = v AS same, halfvec_send(v::text::halfvec) = halfvec_send(v) AS same_bits
  FROM (VALUES ('[1.23456,0.1,-0,5.9604645e-08,65504,-6.0975552e-05]'::halfvec)) t(v);

-- dims limit: 16000 accepted, the 16001st element is 54000 before it is parsed
SELECT vector_dims(('[' || repeat('1,', 15999) || '1]')::halfvec);
SELECT try(format('%L::halfvec', '[' || repeat('1,', 16000) || '1]'));
SELECT try(format('%L::halfvec', '[' || repeat('1,', 16000) || 'x]'));
SELECT try(format('%L::halfvec', '[' || repeat('1,', 16000) || '70000]'));

-- type modifiers
SELECT x AS type, try(format('''[1,2,3]''::%s', x)) AS result FROM unnest(ARRAY[
  'halfvec(3)', 'halfvec(2)', 'halfvec(4)', 'halfvec(16000)', 'halfvec(0)', 'halfvec(-1)',
  'halfvec(16001)', 'halfvec(3,2)', 'halfvec(''a'')'
]) AS x;
-- the dims checks (>= 1, then typmod) run after the closing bracket
SELECT x AS expr, try(x) FROM unnest(ARRAY[
  $$'[]'::halfvec(3)$$, $$'[1,2]'::halfvec(3)$$, $$'[1,2]x'::halfvec(3)$$, $$'[1,2'::halfvec(3)$$,
  $$'[NaN,1]'::halfvec(3)$$, $$'[70000]'::halfvec(3)$$
]) AS x;

-- a typmod'd column enforces its dims
CREATE TABLE hv_typmod (v halfvec(3));
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'hv_typmod'::regclass AND attname = 'v';
INSERT INTO hv_typmod VALUES ('[1,2,3]'), ('[65519,0.1,-0]');
SELECT try_statement($$INSERT INTO hv_typmod VALUES ('[1,2]')$$);
SELECT try_statement($$INSERT INTO hv_typmod VALUES ('[1,2,3,4]')$$);
SELECT try_statement($$UPDATE hv_typmod SET v = '[1]'$$);
SELECT try_statement($$ALTER TABLE hv_typmod ALTER COLUMN v TYPE halfvec(2)$$);
SELECT v FROM hv_typmod;
DROP TABLE hv_typmod;

-- sizes: 8 + 2 * dims as a datum (no padding for odd dims), short header in a row
CREATE TABLE hv_size (v halfvec);
INSERT INTO hv_size VALUES ('[1,2,3]'), ('[1]'), ('[1,2,3,4]');
SELECT pg_column_size('[1,2,3]'::halfvec) AS datum_3, pg_column_size('[1]'::halfvec) AS datum_1;
SELECT v, pg_column_size(v) AS stored FROM hv_size;
DROP TABLE hv_size;

-- storage EXTERNAL: a 16000-dim value moves out of line uncompressed
-- (reported without its 4-byte header: 32004 = 8 + 2 * 16000 - 4)
CREATE TABLE hv_toast (v halfvec);
INSERT INTO hv_toast SELECT array_fill(0.5::real, ARRAY[16000]) FROM generate_series(1, 3);
SELECT vector_dims(v), pg_column_size(v), v <-> v AS self_distance, subvector(v, 15999, 2)
  FROM hv_toast LIMIT 1;
SELECT pg_relation_size(reltoastrelid) > 0 AS toasted FROM pg_class WHERE relname = 'hv_toast';
SELECT count(DISTINCT v) FROM hv_toast;
DROP TABLE hv_toast;

-- arrays of halfvec use array syntax with quoting
SELECT ARRAY['[1,2]'::halfvec, '[3]'];
SELECT '{"[1,2]","[0.1]"}'::halfvec[];
