-- sparsevec: distances, norms, comparison and btree ordering (docs/reference.md 5, 6.1, 6.2, 6.5).

-- reference values
SELECT l2_distance('{}/2'::sparsevec, '{1:1,2:1}/2'), '{}/2'::sparsevec <-> '{1:1,2:1}/2';
SELECT cosine_distance('{1:1,2:2,3:3}/3'::sparsevec, '{1:4,2:5,3:6}/3'),
       '{1:1,2:2,3:3}/3'::sparsevec <=> '{1:4,2:5,3:6}/3';
SELECT inner_product('{1:1,2:2,3:3}/3'::sparsevec, '{1:4,2:5,3:6}/3'),
       '{1:1,2:2,3:3}/3'::sparsevec <#> '{1:4,2:5,3:6}/3';
SELECT l1_distance('{1:1,2:2,3:3}/3'::sparsevec, '{1:4,2:5,3:7}/3'),
       '{1:1,2:2,3:3}/3'::sparsevec <+> '{1:4,2:5,3:7}/3';
SELECT sparsevec_l2_squared_distance('{1:1,2:2,3:3}/3', '{1:4,2:5,3:6}/3'),
       sparsevec_negative_inner_product('{1:1,2:2,3:3}/3', '{1:4,2:5,3:6}/3');
SELECT pg_typeof(l2_distance('{}/1'::sparsevec, '{}/1')), pg_typeof('{}/1'::sparsevec <#> '{}/1');

-- merging the two index lists: absent elements count as 0
SELECT a, b, l2_distance(a, b) AS l2, sparsevec_l2_squared_distance(a, b) AS l2sq,
       inner_product(a, b) AS ip, sparsevec_negative_inner_product(a, b) AS neg_ip,
       cosine_distance(a, b) AS cosine, l1_distance(a, b) AS l1
  FROM (VALUES ('{1:1,3:2}/5'::sparsevec, '{2:3,5:4}/5'::sparsevec),   -- disjoint
               ('{1:1,3:2}/5', '{1:1,3:2}/5'),                         -- identical
               ('{}/3', '{1:3,2:4}/3'),                                -- one empty
               ('{1:3,2:4}/3', '{}/3'),
               ('{}/3', '{}/3'),                                       -- both empty
               ('{1:1,2:2,4:4}/5', '{2:1,3:3,4:-1,5:2}/5'),            -- partial overlap
               ('{5:1}/5', '{1:1,2:1,3:1,4:1}/5'),                     -- one list ends first
               ('{1:1,1000000000:2}/1000000000', '{1000000000:1}/1000000000')) AS t(a, b);

-- overflow gives Infinity, never an error; zero or overflowing norms make cosine NaN
SELECT l2_distance('{1:3e38}/1'::sparsevec, '{1:-3e38}/1'), l2_distance('{1:3e38}/2'::sparsevec, '{2:3e38}/2'),
       l1_distance('{1:3e38}/2'::sparsevec, '{2:-3e38}/2'), inner_product('{1:3e38}/1'::sparsevec, '{1:3e38}/1');
SELECT cosine_distance('{}/1'::sparsevec, '{}/1'), cosine_distance('{1:1}/2'::sparsevec, '{}/2'),
       cosine_distance('{1:3e38}/1'::sparsevec, '{1:3e38}/1');
-- the similarity is clamped, so the distance stays within [0, 2]
SELECT cosine_distance('{1:1,2:1}/2'::sparsevec, '{1:1,2:1}/2'),
       cosine_distance('{1:1,2:1}/2'::sparsevec, '{1:-1,2:-1}/2'),
       cosine_distance(v, v) >= 0 AS nonnegative
  FROM (VALUES ('{1:0.1,2:0.2,3:0.3,4:0.4,5:0.5,6:0.6,7:0.7}/7'::sparsevec)) t(v);

-- different dims: 22000, even when the stored indices would fit both
SELECT f, try(format('%s(''{1:1}/2''::sparsevec, ''{1:1}/3''::sparsevec)', f)) FROM unnest(ARRAY[
  'l2_distance', 'inner_product', 'cosine_distance', 'l1_distance',
  'sparsevec_l2_squared_distance', 'sparsevec_negative_inner_product'
]) AS f;
SELECT op, try(format('''{}/2''::sparsevec %s ''{}/3''::sparsevec', op))
  FROM unnest(ARRAY['<->', '<#>', '<=>', '<+>']) AS op;

-- l2_norm: float64 accumulation
SELECT l2_norm('{1:3,2:4}/2'::sparsevec), l2_norm('{}/3'::sparsevec), l2_norm('{1:3e37,5:4e37}/5'::sparsevec),
       l2_norm('{1:3e38,2:3e38}/2'::sparsevec), l2_norm('{7:1e-45}/1000000000'::sparsevec);

-- l2_normalize: elements that become 0 are removed; a zero vector stays as it is
SELECT l2_normalize('{1:3,2:4}/5'::sparsevec), l2_normalize('{1:3e38,2:1e-37}/2'::sparsevec),
       l2_normalize('{}/3'::sparsevec), l2_normalize('{1000000000:-2}/1000000000'::sparsevec),
       l2_normalize('{1:1e-45,2:1e-45}/2'::sparsevec);
SELECT pg_typeof(l2_normalize('{}/1'::sparsevec));

-- comparison: the order of the dense expansions (missing elements are 0),
-- then fewer dims first
SELECT a, b, sparsevec_cmp(a, b), a < b AS lt, a <= b AS le, a = b AS eq, a <> b AS ne,
       a >= b AS ge, a > b AS gt
  FROM (VALUES ('{}/3'::sparsevec, '{1:1,2:1,3:1}/3'::sparsevec),
               ('{1:1,2:2}/2', '{1:1,2:2,3:3}/3'), ('{1:2,2:3}/2', '{1:1,2:2,3:3}/3'),
               ('{1:1,2:2}/2', '{1:1,2:2}/2'), ('{1:-1}/2', '{}/2'), ('{2:1}/3', '{1:1}/3'),
               ('{}/2', '{}/3'), ('{1:1}/2', '{1:1}/3'), ('{3:1}/3', '{}/2'), ('{}/3', '{1:-1}/1'),
               ('{1:1,3:0.5}/3', '{1:1,2:0.1}/3'), ('{1:1,3:-1}/3', '{1:1}/2'),
               ('{1000000000:1}/1000000000', '{}/1000000000'), ('{1:1,2:-0}/2', '{1:1}/2')) AS t(a, b);
SELECT sparsevec_lt('{}/1', '{1:1}/1'), sparsevec_le('{1:1}/1', '{1:1}/1'), sparsevec_eq('{}/2', '{}/2'),
       sparsevec_ne('{}/2', '{}/3'), sparsevec_ge('{1:1}/1', '{1:1}/2'), sparsevec_gt('{2:1}/2', '{1:-1,2:5}/3');

-- the btree opclass: ORDER BY, DISTINCT, GROUP BY, btree and UNIQUE indexes
CREATE TABLE sv_ordered (id int, v sparsevec);
INSERT INTO sv_ordered VALUES (1, '{1:1,2:2,3:3}/3'), (2, '{1:1,2:2}/2'), (3, '{1:2}/1'), (4, '{2:5}/2'),
                              (5, NULL), (6, '{1:1,2:2}/2'), (7, '{}/3'), (8, '{1:-1,2:100}/2'),
                              (9, '{}/2'), (10, '{3:1}/3'), (11, '{1:1,2:2,3:-0}/3');
SELECT id, v FROM sv_ordered ORDER BY v, id;
SELECT id, v FROM sv_ordered ORDER BY v DESC, id;
SELECT DISTINCT v FROM sv_ordered ORDER BY v;
SELECT v, count(*) FROM sv_ordered GROUP BY v ORDER BY v;
CREATE INDEX ON sv_ordered (v);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM sv_ordered WHERE v = '{1:1,2:2}/2';
SELECT id FROM sv_ordered WHERE v = '{1:1,2:2}/2' ORDER BY id;
SELECT id FROM sv_ordered WHERE v < '{1:1,2:2,3:3}/3' ORDER BY v, id;
RESET enable_seqscan;
CREATE TABLE sv_uniq (v sparsevec UNIQUE);
INSERT INTO sv_uniq VALUES ('{1:1}/2'), ('{1:1}/3'), ('{}/2');
SELECT try_statement($$INSERT INTO sv_uniq VALUES ('{1:1}/2')$$);
SELECT try_statement($$INSERT INTO sv_uniq VALUES ('{1:1,2:0}/2')$$);
SELECT try_statement($$INSERT INTO sv_uniq VALUES ('{2:-0}/2')$$);
DROP TABLE sv_ordered, sv_uniq;

-- consistency with vector: for random vectors (about 40% zeros, dims 1..40,
-- and a few very sparse 3000-dim ones), every sparsevec distance equals the
-- vector distance of the dense values within 1e-5 relative (inner product:
-- relative to the sum of |products|; cosine: absolute), and sparsevec_cmp
-- agrees with vector_cmp, also between values of different dims
CREATE FUNCTION sv_near(x float8, y float8, scale float8) RETURNS bool LANGUAGE sql IMMUTABLE AS
  'SELECT x = y OR abs(x - y) <= 1e-5 * scale';
SELECT setseed(0.31);
CREATE TEMP TABLE sv_pairs AS
  SELECT p, a::sparsevec AS sa, b::sparsevec AS sb, a::vector AS va, b::vector AS vb,
         (SELECT sum(abs(x::float8 * y::float8)) FROM unnest(a, b) u(x, y)) AS abs_dot
    FROM (SELECT p,
                 array_agg(CASE WHEN random() < z THEN 0 ELSE random() * 2 - 1 END ORDER BY i)::real[] AS a,
                 array_agg(CASE WHEN random() < z THEN 0 ELSE random() * 2 - 1 END ORDER BY i)::real[] AS b
            FROM (SELECT p, CASE WHEN p <= 300 THEN 1 + p % 40 ELSE 3000 END AS d,
                         CASE WHEN p <= 300 THEN 0.4::float8 ELSE 0.97::float8 END AS z
                    FROM generate_series(1, 320) p) ps,
                 generate_series(1, ps.d) i
           GROUP BY p) s;
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE cosine_distance(va, vb) = 'NaN') AS zero_norm_pairs,
       count(*) FILTER (WHERE NOT sv_near(l2_distance(sa, sb), l2_distance(va, vb), l2_distance(va, vb))) AS l2_bad,
       count(*) FILTER (WHERE NOT sv_near(sa <-> sb, va <-> vb, va <-> vb)) AS l2_op_bad,
       count(*) FILTER (WHERE NOT sv_near(sparsevec_l2_squared_distance(sa, sb),
                                          vector_l2_squared_distance(va, vb),
                                          vector_l2_squared_distance(va, vb))) AS l2sq_bad,
       count(*) FILTER (WHERE NOT sv_near(inner_product(sa, sb), inner_product(va, vb), abs_dot)) AS ip_bad,
       count(*) FILTER (WHERE NOT sv_near(sparsevec_negative_inner_product(sa, sb),
                                          vector_negative_inner_product(va, vb), abs_dot)) AS neg_ip_bad,
       count(*) FILTER (WHERE NOT sv_near(cosine_distance(sa, sb), cosine_distance(va, vb), 1)) AS cosine_bad,
       count(*) FILTER (WHERE NOT sv_near(l1_distance(sa, sb), l1_distance(va, vb), l1_distance(va, vb))) AS l1_bad,
       count(*) FILTER (WHERE NOT sv_near(l2_norm(sa), vector_norm(va), vector_norm(va))) AS norm_bad,
       count(*) FILTER (WHERE sa::vector <> va OR sb::vector <> vb) AS densify_bad,
       count(*) FILTER (WHERE sparsevec_cmp(sa, sb) <> vector_cmp(va, vb)) AS cmp_bad
  FROM sv_pairs;
SELECT count(*) AS mixed_dims_pairs,
       count(*) FILTER (WHERE sparsevec_cmp(x.sa, y.sb) <> vector_cmp(x.va, y.vb)) AS cmp_bad,
       count(*) FILTER (WHERE (x.sa < y.sb) <> (x.va < y.vb) OR (x.sa = y.sb) <> (x.va = y.vb)) AS op_bad
  FROM sv_pairs x JOIN sv_pairs y ON y.p IN (x.p + 1, x.p + 40);
DROP TABLE sv_pairs;
DROP FUNCTION sv_near(float8, float8, float8);
