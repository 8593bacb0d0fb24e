-- sparsevec: text input, output, type modifiers and sizes (docs/reference.md 3.1, 3.3, 3.5, 3.6).

-- accepted spellings; entries are sorted by index and zero values are dropped
-- before any index check
SELECT x AS literal, try(format('%L::sparsevec', x)) AS result FROM unnest(ARRAY[
  '{1:1.5,3:3.5}/5', ' { 1 : 1.5 ,  3  :  3.5  } / 5 ', '{+1:+1}/+3', '{2:1,1:1}/2',
  '{}/5', '{ }/1',
  chr(9) || '{' || chr(10) || '1' || chr(13) || ':' || chr(11) || '2' || chr(12) || '}'
         || chr(10) || '/' || chr(9) || '3' || chr(10),
  '{3:1,1:2,2:3}/3', '{1:1e-3,2:1E+2,3:-1.5,4:0x1p3}/4', '{1:.5,2:5.}/2',
  '{0:0}/3', '{5:0}/3', '{1:0,1:2}/3', '{1:2,1:0}/3', '{1:-0}/3', '{-7:0,99999999999:0}/3',
  '{1:0e-50}/1', '{1:1e-40}/1', '{1:-1e-45}/1', '{1:3.4028235e38}/1',
  '{1:1}/1000000000', '{1000000000:-1}/1000000000', '{}/1000000000', '{}/0001'
]) AS x;

-- rejected spellings
SELECT x AS literal, try(format('%L::sparsevec', x)) AS result FROM unnest(ARRAY[
  -- 22P02: syntax
  '', '1:1/1', '[1,2]', '{', '{ ', '{:', '{,', '{}', '{}/', '{}/1a', '{}/2.0', '{:}/1', '{,}/1',
  '{1,}/1', '{:1}/1', '{1:}/1', '{1a:1}/1', '{1.0:1}/2', '{1:1a}/1', '{1:1,}/1', '{1:hello}/1',
  '{1:1}/5,', '{1:1}/3 x', '{1:1}3', '{1:1 2:1}/3', '{1;1}/3', '{}/ ', '{} 5', '{1:1}}/3',
  -- 22000: dims < 1, including values beyond the int and long range
  '{}/0', '{}/-1', '{}/-2147483649', '{}/-9223372036854775809', '{}/-99999999999999999999999',
  -- 54000: dims > 1e9, including values beyond the int and long range
  '{}/1000000001', '{}/2147483648', '{}/4294967297', '{}/9223372036854775807',
  '{}/9223372036854775808', '{}/99999999999999999999999',
  -- 22000: index out of bounds or duplicated (non-zero entries only)
  '{0:1}/1', '{2:1}/1', '{-1:1}/3', '{2147483648:1}/1', '{-2147483649:1}/1', '{4294967297:1}/3',
  '{1000000001:1}/1000000000', '{1:1,1:1}/2', '{1:1,2:1,1:1}/2', '{2:1,2:-1}/2',
  -- 22000: NaN and infinity
  '{1:NaN}/1', '{1:nan}/2', '{1:Infinity}/1', '{1:-Infinity}/1', '{2:inf}/2',
  -- 22003: out of float32 range, or underflowing to exactly 0
  '{1:4e38}/1', '{1:-4e38}/1', '{1:1e39}/1', '{1:1e-46}/1', '{1:-1e-46}/1', '{1:1e-50}/1'
]) AS x;

-- check order: syntax and values left to right; then the dims range; then
-- the typmod; then bounds and duplicates in ascending index order
SELECT x AS expr, try(x) FROM unnest(ARRAY[
  $$'{1:NaN}/0'::sparsevec$$, $$'{1:1e39}/0'::sparsevec$$, $$'{1:1e-46,2:NaN}/2'::sparsevec$$,
  $$'{1:NaN,2:1e39}/2'::sparsevec$$, $$'{1:1,1:x}/3'::sparsevec$$, $$'{5:1}/1a'::sparsevec$$,
  $$'{5:1}/0'::sparsevec$$, $$'{5:1}/1000000001'::sparsevec$$,
  $$'{5:1,0:1}/3'::sparsevec$$, $$'{9:1,2:1,2:1}/3'::sparsevec$$, $$'{3:1,3:1,0:1}/3'::sparsevec$$
]) AS x;
-- the typmod reaches the input function itself only through a column's
-- input (COPY, or a direct call); a '...'::sparsevec(3) cast parses with -1
-- and checks the typmod afterwards in the typmod cast
SELECT x AS expr, try(x) FROM unnest(ARRAY[
  $$sparsevec_in('{}/0', 'sparsevec'::regtype, 3)$$,
  $$sparsevec_in('{}/1000000001', 'sparsevec'::regtype, 3)$$,
  $$sparsevec_in('{5:1}/4', 'sparsevec'::regtype, 3)$$,
  $$sparsevec_in('{5:1,5:1}/3', 'sparsevec'::regtype, 3)$$,
  $$sparsevec_in('{3:1}/3', 'sparsevec'::regtype, 3)$$,
  $$'{5:1}/4'::sparsevec(3)$$
]) AS x;

-- more than 16000 entries: 54000 from a count of ',' on the raw literal,
-- before parsing and even when every value is zero
SELECT try(format('%L::sparsevec', '{' || repeat('1:0,', 15999) || '1:0}/1')) AS commas_15999;
SELECT try(format('%L::sparsevec', '{' || repeat('1:0,', 16000) || '1:0}/1')) AS commas_16000;
SELECT try(format('%L::sparsevec', '{' || repeat(',', 16000) || '}/1')) AS commas_only;
SELECT try(format('%L::sparsevec', '{}/1' || repeat(',', 16000))) AS trailing_commas;
-- 16000 stored values are accepted
SELECT s::sparsevec::text = s AS max_nnz, pg_column_size(s::sparsevec) AS datum
  FROM (SELECT '{' || string_agg(i || ':1', ',' ORDER BY i) || '}/16000' AS s
          FROM generate_series(1, 16000) i) t;

-- output: 1-based indices in ascending order, PostgreSQL's shortest-exact
-- float4 text whatever extra_float_digits says, {}/dims when nothing is stored
SELECT '{3:3,1:1,2:-0}/3'::sparsevec, '{}/5'::sparsevec, '{1000000000:7}/1000000000'::sparsevec;
SELECT '{1:1,2:1.5,3:0.1,4:1.0000001,5:123456,6:1000000,7:123456789,8:0.0001,9:0.00001,10:1.5e-7,11:3.4028235e38,12:1.17549435e-38,13:1e-45,14:-1}/14'::sparsevec;
SET extra_float_digits = -3;
SELECT '{1:0.1,2:1.0000001,3:3.4028235e38}/3'::sparsevec;
SET extra_float_digits = 3;
SELECT '{1:0.1,2:1.0000001,3:3.4028235e38}/3'::sparsevec;
RESET extra_float_digits;
-- float32 values round-trip through text (a sample across exponents)
SELECT count(*) AS mismatches
  FROM (SELECT format('{1:%s,2:%s}/2', f, -f)::sparsevec AS s, f
          FROM (SELECT (2.0 ^ (e / 4.0) * (1 + k / 7919.0))::real AS f
                  FROM generate_series(-500, 500) e, generate_series(0, 20) k) r) t
 WHERE s::text::sparsevec <> s OR s::vector::real[] <> ARRAY[f, -f]
    OR sparsevec_send(s::text::sparsevec) <> sparsevec_send(s);

-- type modifiers: the modifier is dims (not nnz), 1 .. 1e9
SELECT x AS type, try(format('''{1:1}/3''::%s', x)) AS result FROM unnest(ARRAY[
  'sparsevec(3)', 'sparsevec(2)', 'sparsevec(4)', 'sparsevec(0)', 'sparsevec(-1)',
  'sparsevec(1000000000)', 'sparsevec(1000000001)', 'sparsevec(2147483647)', 'sparsevec(3,2)',
  'sparsevec(''a'')'
]) AS x;
SELECT '{}/1000000000'::sparsevec(1000000000), '{1000000000:-1}/1000000000'::sparsevec(1000000000),
       '{}/3'::sparsevec(3);

-- a typmod'd column enforces its dims
CREATE TABLE sv_typmod (v sparsevec(3));
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'sv_typmod'::regclass AND attname = 'v';
INSERT INTO sv_typmod VALUES ('{1:1}/3'), ('{}/3'), ('{3:-2,1:0}/3');
SELECT try_statement($$INSERT INTO sv_typmod VALUES ('{1:1}/4')$$);
SELECT try_statement($$INSERT INTO sv_typmod VALUES ('{}/2')$$);
SELECT try_statement($$UPDATE sv_typmod SET v = '{1:1}/1000000000'$$);
SELECT try_statement($$ALTER TABLE sv_typmod ALTER COLUMN v TYPE sparsevec(4)$$);
SELECT v FROM sv_typmod;
DROP TABLE sv_typmod;

-- sizes: 16 + 8 * nnz as a datum, whatever the dims; short header in a row
CREATE TABLE sv_size (v sparsevec);
INSERT INTO sv_size VALUES ('{1:1,3:2}/5'), ('{}/5'), ('{1:1}/1000000000');
SELECT pg_column_size('{1:1,3:2}/5'::sparsevec) AS datum_2, pg_column_size('{}/5'::sparsevec) AS datum_0,
       pg_column_size('{1:1}/1000000000'::sparsevec) AS datum_1;
SELECT v, pg_column_size(v) AS stored FROM sv_size;
DROP TABLE sv_size;

-- storage EXTERNAL: 16000 stored values move out of line uncompressed
-- (reported without the 4-byte header: 128012 = 16 + 8 * 16000 - 4)
CREATE TABLE sv_toast (v sparsevec);
INSERT INTO sv_toast
  SELECT ('{' || string_agg(i || ':1', ',' ORDER BY i) || '}/1000000')::sparsevec FROM generate_series(1, 16000) i;
SELECT pg_column_size(v), l2_norm(v), v = v AS self_equal FROM sv_toast;
SELECT pg_relation_size(reltoastrelid) > 0 AS toasted FROM pg_class WHERE relname = 'sv_toast';
DROP TABLE sv_toast;

-- arrays of sparsevec use array syntax; the elements are quoted
SELECT ARRAY['{1:1,2:2}/2'::sparsevec, '{}/3'];
SELECT '{"{1:1,2:2}/2","{}/3"}'::sparsevec[];
