-- bit: Hamming and Jaccard distances on PostgreSQL's bit type (docs/reference.md 3.8, 5, 6.1, 6.2).

SELECT hamming_distance(B'1111', B'1110'), B'1111' <~> B'1110',
       jaccard_distance(B'1111', B'1110'), B'1111' <%> B'1110';
SELECT pg_typeof(hamming_distance(B'1', B'1')), pg_typeof(B'1' <%> B'1');

-- Hamming: differing bits; Jaccard: 1 - |a AND b| / |a OR b|, and 1 when
-- |a AND b| = 0 (also for all-zero and empty strings); lengths must match (22000)
SELECT a, b, try(format('hamming_distance(B%L, B%L)', a, b)) AS hamming,
       try(format('B%L <~> B%L', a, b)) AS hamming_op,
       try(format('jaccard_distance(B%L, B%L)', a, b)) AS jaccard,
       try(format('B%L <%%> B%L', a, b)) AS jaccard_op
  FROM (VALUES ('1111', '1110'), ('', ''), ('0000', '0000'), ('0000', '0011'), ('1100', '0011'),
               ('1010', '0101'), ('1', '1'), ('1', '0'), ('0', '0'), ('11110000', '11110000'),
               ('111100001', '111100000'), ('1111111111111111', '0000000000000001'),
               ('101', '1010'), ('', '1'), ('11111111', '111111111')) AS t(a, b);

-- varbit arguments reach the bit functions through the implicit cast
SELECT hamming_distance('1011'::varbit, '0011'::varbit), jaccard_distance('1011'::varbit, B'0011'),
       '1011'::varbit <~> '0011'::varbit, '1011'::varbit <%> '0011'::varbit,
       hamming_distance('101', '111'), jaccard_distance('101', '111');
SELECT try($$hamming_distance('1011'::varbit, '011'::varbit)$$), try($$'1011'::varbit <%> '011'::varbit$$);
CREATE TABLE bit_cols (id int, b bit(4), vb varbit(8));
INSERT INTO bit_cols VALUES (1, B'1111', B'1111'), (2, B'0000', B'0'), (3, B'1010', B'1010'),
                            (4, B'0111', B'01110111'), (5, NULL, NULL);
SELECT id, b <~> B'1110' AS hamming, b <%> B'1110' AS jaccard FROM bit_cols ORDER BY b <~> B'1110', id;
SELECT id, try(format('%L::varbit <~> B''1010''', vb)) FROM bit_cols ORDER BY id;
DROP TABLE bit_cols;

-- lengths around the byte and 64-bit word boundaries, against the bits counted
-- in the text form: hamming = ones(a # b); jaccard = 1 - ab / (aa + bb - ab)
-- computed in float64, or 1 when ab = 0. Exact equality is required.
CREATE FUNCTION bit_ones(x bit varying) RETURNS int LANGUAGE sql IMMUTABLE AS
  $$SELECT length(replace(x::text, '0', ''))$$;
SELECT setseed(0.77);
CREATE TEMP TABLE bit_pairs AS
  SELECT n, k,
         string_agg(CASE WHEN random() < dens THEN '1' ELSE '0' END, '' ORDER BY i)::varbit AS a,
         string_agg(CASE WHEN random() < dens THEN '1' ELSE '0' END, '' ORDER BY i)::varbit AS b
    FROM unnest(ARRAY[1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257,
                      511, 512, 513, 1023, 1024, 1025, 1536, 2049, 64000]) n,
         (VALUES (1, 0.5::float8), (2, 0.5), (3, 0.1), (4, 0.9), (5, 0.02)) dk(k, dens),
         generate_series(1, n) i
   GROUP BY n, k;
-- fixed cases for every length: all zeros, all ones, complements
INSERT INTO bit_pairs
  SELECT DISTINCT n, 6, repeat('0', n)::varbit, repeat('0', n)::varbit FROM bit_pairs;
INSERT INTO bit_pairs
  SELECT DISTINCT n, 7, repeat('1', n)::varbit, repeat('1', n)::varbit FROM bit_pairs;
INSERT INTO bit_pairs
  SELECT n, 8, a, ~a FROM bit_pairs WHERE k = 1;
INSERT INTO bit_pairs
  SELECT n, 9, repeat('0', n - 1)::varbit || B'1', repeat('1', n)::varbit FROM bit_pairs WHERE k = 1;
SELECT n, count(*) AS pairs,
       count(*) FILTER (WHERE hamming_distance(a, b) <> bit_ones(a # b)) AS hamming_bad,
       count(*) FILTER (WHERE (a <~> b) <> bit_ones(a # b)) AS hamming_op_bad,
       count(*) FILTER (WHERE jaccard_distance(a, b) IS DISTINCT FROM
                              CASE WHEN bit_ones(a & b) = 0 THEN 1::float8
                                   ELSE 1 - bit_ones(a & b)::float8
                                            / (bit_ones(a) + bit_ones(b) - bit_ones(a & b))::float8 END) AS jaccard_bad,
       count(*) FILTER (WHERE (a <%> b) IS DISTINCT FROM jaccard_distance(a, b)) AS jaccard_op_bad,
       count(*) FILTER (WHERE hamming_distance(a, b) <> hamming_distance(b, a)
                           OR jaccard_distance(a, b) <> jaccard_distance(b, a)) AS asymmetric
  FROM bit_pairs GROUP BY n ORDER BY n;
-- a few exact values
SELECT n, hamming_distance(a, b), jaccard_distance(a, b) FROM bit_pairs WHERE k IN (6, 7, 8, 9) AND n IN (1, 64, 65, 64000)
 ORDER BY n, k;
SELECT try($$hamming_distance(repeat('1', 64)::varbit, repeat('1', 65)::varbit)$$),
       try($$jaccard_distance(repeat('1', 512)::varbit, repeat('1', 511)::varbit)$$);
DROP TABLE bit_pairs;

-- binary_quantize feeds the bit distances: bit i is 1 when element i > 0
SELECT hamming_distance(binary_quantize('[1,-1,2,0]'::vector), binary_quantize('[1,1,-2,0]'::vector)),
       binary_quantize('[1,-1,2,0]'::vector) <~> binary_quantize('[1,1,-2,0]'::vector),
       jaccard_distance(binary_quantize('[1,-1,2,0]'::vector), binary_quantize('[1,1,-2,0]'::vector)),
       binary_quantize('[1,-1,2,0]'::halfvec) <%> binary_quantize('[1,1,-2,0]'::halfvec);
SELECT binary_quantize('[1,2,3]'::vector)::bit(3) <~> B'101';
SELECT try($$binary_quantize('[1,2]'::vector) <~> binary_quantize('[1,2,3]'::vector)$$);
CREATE TEMP TABLE bq_pairs AS
  SELECT p, array_agg(random() - 0.5 ORDER BY i)::real[] AS fa, array_agg(random() - 0.5 ORDER BY i)::real[] AS fb
    FROM generate_series(1, 50) p, generate_series(1, p * 13) i
   GROUP BY p;
SELECT count(*) AS pairs, count(*) FILTER (WHERE v_dist <> v_ref) AS vector_bad,
       count(*) FILTER (WHERE h_dist <> h_ref) AS halfvec_bad
  FROM (SELECT hamming_distance(binary_quantize(fa::vector), binary_quantize(fb::vector)) AS v_dist,
               (SELECT count(*) FROM unnest(fa, fb) u(x, y) WHERE (x > 0) <> (y > 0)) AS v_ref,
               binary_quantize(fa::halfvec) <~> binary_quantize(fb::halfvec) AS h_dist,
               (SELECT count(*) FROM unnest(fa::halfvec::real[], fb::halfvec::real[]) u(x, y)
                 WHERE (x > 0) <> (y > 0)) AS h_ref
          FROM bq_pairs) t;
DROP TABLE bq_pairs;
DROP FUNCTION bit_ones(bit varying);
