-- vector: + - * ||, comparison and btree ordering (docs/reference.md 6.4, 6.5).

SELECT '[1,2,3]'::vector + '[4,5,6]', '[1,2,3]'::vector - '[4,5,6]', '[1,2,3]'::vector * '[4,5,6]';
SELECT '[1,2]'::vector || '[3]', '[1]'::vector || '[2,3,4]';
SELECT pg_typeof('[1,2]'::vector + '[3,4]'), pg_typeof('[1]'::vector || '[2]');

-- overflow and underflow are 22003
SELECT x AS expr, try(x) FROM unnest(ARRAY[
  $$'[3e38]'::vector + '[3e38]'$$, $$'[-3e38]'::vector - '[3e38]'$$, $$'[1e37]'::vector * '[1e37]'$$,
  $$'[1e-37]'::vector * '[1e-37]'$$, $$'[0,1e-37]'::vector * '[5,1e-37]'$$,
  $$'[0]'::vector * '[1e-37]'$$, $$'[1e-45]'::vector * '[0.5]'$$, $$'[1,2]'::vector - '[1,2]'$$
]) AS x;

-- || caps the total at 16000 dims (54000)
SELECT vector_dims(('[' || repeat('1,', 7999) || '1]')::vector || ('[' || repeat('1,', 7999) || '1]')::vector);
SELECT try($$('[' || repeat('1,', 7999) || '1]')::vector || ('[' || repeat('1,', 8000) || '1]')::vector$$);

-- comparison: element by element, then fewer dims first; -0 = 0
SELECT a, b, vector_cmp(a, b), a < b AS lt, a <= b AS le, a = b AS eq, a <> b AS ne,
       a >= b AS ge, a > b AS gt
  FROM (VALUES ('[1,2]'::vector, '[1,2,3]'::vector), ('[1,2]', '[2,3,4]'), ('[2,3]', '[1,2,3]'),
               ('[1,2,3]', '[1,2,3]'), ('[-0]', '[0]'), ('[1,2,4]', '[1,2,3]'),
               ('[-1]', '[1e-45]')) AS t(a, b);

-- the btree opclass: ORDER BY, DISTINCT, GROUP BY, btree and UNIQUE indexes
CREATE TABLE ordered (id int, v vector);
INSERT INTO ordered VALUES (1, '[1,2,3]'), (2, '[1,2]'), (3, '[2]'), (4, '[0,5]'), (5, NULL),
                           (6, '[1,2]'), (7, '[-0,5]'), (8, '[-1,100]');
SELECT id, v FROM ordered ORDER BY v, id;
SELECT DISTINCT v FROM ordered ORDER BY v;
SELECT v, count(*) FROM ordered GROUP BY v ORDER BY v;
CREATE INDEX ON ordered (v);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM ordered WHERE v = '[1,2]';
SELECT id FROM ordered WHERE v = '[1,2]' ORDER BY id;
SELECT id FROM ordered WHERE v < '[1,2,3]' ORDER BY v, id;
RESET enable_seqscan;
CREATE TABLE uniq (v vector UNIQUE);
INSERT INTO uniq VALUES ('[1,2]'), ('[1,2,0]');
SELECT try_statement($$INSERT INTO uniq VALUES ('[1,2]')$$);
DROP TABLE ordered, uniq;
