-- halfvec: text input, output, type modifiers and sizes (docs/reference.md 3.1, 3.3, 3.4, 3.6).

\set type halfvec
\getenv abs_srcdir PG_ABS_SRCDIR
\set shared_script :abs_srcdir '/sql/include/dense_input.sql'
\i :shared_script

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

-- a 16001st element that would also be out of range is still 54000
SELECT try(format('%L::halfvec', '[' || repeat('1,', 16000) || '70000]'));
-- the typmod check comes after the element range check
SELECT try($$'[70000]'::halfvec(3)$$);
-- values that round in binary16 keep their rounded value in a typmod'd column
CREATE TABLE hv_typmod (v halfvec(3));
INSERT INTO hv_typmod VALUES ('[65519,0.1,-0]');
SELECT v FROM hv_typmod;
DROP TABLE hv_typmod;
