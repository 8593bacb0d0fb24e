-- vector: text input, output and type modifiers (SPEC.md 2.3, 2.4, 2.6).

-- accepted spellings
SELECT x AS literal, try(format('%L::vector', x)) AS result FROM unnest(ARRAY[
  '[1,2,3]', ' [ 1,  2 ,    3  ] ', '[1.,2.,3.]', '[+5,.5]',
  chr(9) || '[' || chr(10) || '1' || chr(13) || ',' || chr(11) || '2' || chr(12) || ']' || chr(10),
  '[1e-3,1E+2,-1.5]', '[0x1p3]', '[-0]', '[1e-46,1]', '[-1e-46,1]', '[1e-40]'
]) AS x;

-- rejected spellings: 22P02 syntax, 22000 dims/NaN/infinity, 22003 overflow
SELECT x AS literal, try(format('%L::vector', x)) AS result FROM unnest(ARRAY[
  '', '1,2,3', '(1,2)', '{1,2}', '[', '[ ', '[,', '[,]', '[1,]', '[1,,3]', '[1, ,3]',
  '[1 2]', '[1a]', '[hello,1]', '[1,2,3', '[1,2,3]9', '[1,2,3] x',
  '[]', '[ ]', '[NaN]', '[1,nan]', '[Infinity]', '[-Infinity]', '[inf]', '[-INF,1]',
  '[4e38]', '[-4e38]', '[1e39]', '[1,1e39,NaN]', '[NaN,1e39]', '[1e39,x]'
]) AS x;

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

-- dims limit: 16000 accepted, the 16001st element is 54000
SELECT vector_dims(('[' || repeat('1,', 15999) || '1]')::vector);
SELECT try(format('%L::vector', '[' || repeat('1,', 16000) || '1]'));
SELECT try(format('%L::vector', '[' || repeat('1,', 16000) || 'x]'));

-- type modifiers
SELECT x AS type, try(format('''[1,2,3]''::%s', x)) AS result FROM unnest(ARRAY[
  'vector(3)', 'vector(2)', 'vector(4)', 'vector(16000)', 'vector(0)', 'vector(-1)',
  'vector(16001)', 'vector(3,2)', 'vector(''a'')'
]) AS x;
CREATE TABLE typmod_test (v vector(3));
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'typmod_test'::regclass AND attname = 'v';
INSERT INTO typmod_test VALUES ('[1,2,3]');
INSERT INTO typmod_test VALUES ('[1,2]');
DROP TABLE typmod_test;

-- sizes: 8 + 4 * dims as a datum, short header in a row
CREATE TABLE size_test (v vector);
INSERT INTO size_test VALUES ('[1,2,3]');
SELECT pg_column_size('[1,2,3]'::vector) AS datum, pg_column_size(v) AS stored FROM size_test;
-- vector_dims reads the dims of a short-header value too
SELECT vector_dims(v), v FROM size_test;
DROP TABLE size_test;

-- storage EXTERNAL: large values move out of line, never compressed (a toasted
-- value reports its stored size without the 4-byte header: 64004 = 8 + 4 * 16000 - 4;
-- compressed, this constant vector would take a few hundred bytes)
CREATE TABLE toast_test (v vector);
INSERT INTO toast_test SELECT array_fill(0.5::real, ARRAY[16000]) FROM generate_series(1, 3);
SELECT vector_dims(v), pg_column_size(v), v <-> v AS self_distance, subvector(v, 15999, 2)
  FROM toast_test LIMIT 1;
SELECT pg_relation_size(reltoastrelid) > 0 AS toasted FROM pg_class WHERE relname = 'toast_test';
SELECT count(DISTINCT v) FROM toast_test;
DROP TABLE toast_test;

-- arrays of vectors use array syntax with quoting
SELECT ARRAY['[1,2]'::vector, '[3]'];
SELECT '{"[1,2]","[3,4]"}'::vector[];
