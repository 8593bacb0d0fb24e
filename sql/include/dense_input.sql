-- sql/include/dense_input.sql: text input, type modifiers and storage of a
-- dense type (docs/reference.md 3.1, 3.3, 3.4), run by vector_input.sql and
-- halfvec_input.sql with :type set to the type's name. What differs between
-- the types (element range, rounding, output digits) stays in those scripts.

-- accepted spellings
SELECT x AS literal, try(format('%L::%s', x, :'type')) AS result FROM unnest(ARRAY[
  '[1,2,3]', ' [ 1,  2 ,    3  ] ', '[1.,2.,3.]', '[+5,.5]',
  chr(9) || '[' || chr(10) || '1' || chr(13) || ',' || chr(11) || '2' || chr(12) || ']' || chr(10),
  '[1e-3,1E+2,-1.5]', '[0x1p3]', '[-0]', '[1e-46,1]', '[-1e-46,1]', '[1e-40]'
]) AS x;

-- rejected spellings: 22P02 syntax, 22000 dims/NaN/infinity, 22003 overflow
SELECT x AS literal, try(format('%L::%s', x, :'type')) AS result FROM unnest(ARRAY[
  '', '1,2,3', '(1,2)', '{1,2}', '[', '[ ', '[,', '[,]', '[1,]', '[1,,3]', '[1, ,3]',
  '[1 2]', '[1a]', '[hello,1]', '[1,2,3', '[1,2,3]9', '[1,2,3] x',
  '[]', '[ ]', '[]x', '[],', '[ ]1', '[NaN]', '[1,nan]', '[Infinity]', '[-Infinity]', '[inf]', '[-INF,1]', '[infinity]',
  '[4e38]', '[-4e38]', '[1e39]', '[1,1e39,NaN]', '[NaN,1e39]', '[1e39,x]'
]) AS x;

-- dims limit: 16000 accepted, the 16001st element is 54000 before it is parsed
SELECT try(format('vector_dims(%L::%s)', '[' || repeat('1,', 15999) || '1]', :'type'));
SELECT try(format('%L::%s', '[' || repeat('1,', 16000) || '1]', :'type'));
SELECT try(format('%L::%s', '[' || repeat('1,', 16000) || 'x]', :'type'));

-- type modifiers
SELECT x AS typmod, try(format('''[1,2,3]''::%s%s', :'type', x)) AS result FROM unnest(ARRAY[
  '(3)', '(2)', '(4)', '(16000)', '(0)', '(-1)', '(16001)', '(3,2)', '(''a'')'
]) AS x;
-- the dims checks (>= 1, then typmod) run after the closing bracket
SELECT x AS literal, try(format('%L::%s(3)', x, :'type')) AS result FROM unnest(ARRAY[
  '[]', '[1,2]', '[1,2]x', '[1,2', '[NaN,1]'
]) AS x;

-- a typmod'd column enforces its dims
SELECT format('CREATE TABLE typmod_test (v %s(3))', :'type') \gexec
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'typmod_test'::regclass AND attname = 'v';
INSERT INTO typmod_test VALUES ('[1,2,3]'), ('[4,0.5,-0]');
SELECT try_statement($$INSERT INTO typmod_test VALUES ('[1,2]')$$);
SELECT try_statement($$INSERT INTO typmod_test VALUES ('[1,2,3,4]')$$);
SELECT try_statement($$UPDATE typmod_test SET v = '[1]'$$);
SELECT try_statement(format('ALTER TABLE typmod_test ALTER COLUMN v TYPE %s(2)', :'type'));
SELECT v FROM typmod_test;
DROP TABLE typmod_test;

-- sizes: 8 + element size * dims as a datum, a short header in a row
SELECT format('CREATE TABLE size_test (v %s)', :'type') \gexec
INSERT INTO size_test VALUES ('[1,2,3]'), ('[1]'), ('[1,2,3,4]');
SELECT format('SELECT pg_column_size(%L::%s) AS datum_3, pg_column_size(%L::%s) AS datum_1',
              '[1,2,3]', :'type', '[1]', :'type') \gexec
SELECT v, pg_column_size(v) AS stored, vector_dims(v) FROM size_test;
DROP TABLE size_test;

-- storage EXTERNAL: a 16000-dim value moves out of line uncompressed (the
-- reported size leaves out the 4-byte header; compressed, this constant
-- vector would take a few hundred bytes)
SELECT format('CREATE TABLE toast_test (v %s)', :'type') \gexec
INSERT INTO toast_test SELECT array_fill(0.5::real, ARRAY[16000]) FROM generate_series(1, 3);
SELECT vector_dims(v), pg_column_size(v), v <-> v AS self_distance, subvector(v, 15999, 2)
  FROM toast_test LIMIT 1;
SELECT pg_relation_size(reltoastrelid) > 0 AS toasted FROM pg_class WHERE relname = 'toast_test';
SELECT count(DISTINCT v) FROM toast_test;
DROP TABLE toast_test;

-- arrays of the type use array syntax with quoting
SELECT format('SELECT ARRAY[%L::%s, %L], %L::%s[]', '[1,2]', :'type', '[3]', '{"[1,2]","[0.5]"}', :'type') \gexec
