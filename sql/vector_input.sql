-- vector: text input, output and type modifiers (docs/reference.md 3.3, 3.4, 3.6).
\set type vector
\getenv abs_srcdir PG_ABS_SRCDIR
\set shared_script :abs_srcdir '/sql/include/dense_input.sql'
\i :shared_script

-- output: PostgreSQL's shortest-exact float4 text, whatever extra_float_digits says
SELECT '[1,1.5,0.1,1.0000001]'::vector;
SELECT '[123456,999999,150000,1000000,1234567,123456789]'::vector;
SELECT '[0.0001,0.00001,1.5e-7,3.4028235e38,1.17549435e-38,1e-45,-0]'::vector;
SET extra_float_digits = -3;
SELECT '[0.1,1.0000001,3.4028235e38]'::vector;
SET extra_float_digits = 3;
SELECT '[0.1,1.0000001,3.4028235e38]'::vector;
RESET extra_float_digits;

-- every float32 bit pattern round-trips through text (a sample across exponents)
SELECT count(*) AS mismatches
  FROM (SELECT ('[' || f::text || ']')::vector AS v, f
          FROM (SELECT (2.0 ^ (e / 4.0) * (1 + k / 7919.0))::real AS f
                  FROM generate_series(-500, 500) e, generate_series(0, 20) k) s) t
 WHERE (v::text)::vector::real[] <> ARRAY[f] OR v::real[] <> ARRAY[f];
