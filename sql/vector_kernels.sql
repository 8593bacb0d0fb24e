-- The dispatched distance kernels against a float64 computation in SQL, over
-- every dims from 1 to 70, multiples of 8/16/32/64 around the SIMD widths,
-- and 16000, at every SIMD level this CPU supports (vecsim.simd_level can
-- only lower the level). Relative tolerance 1e-5 on L2, L1 and inner product
-- sums of same-signed terms; cosine is compared as an absolute 1e-5.
SELECT vecsim_simd_info() = (SELECT vecsim_simd_info()) AS has_level;
SELECT try_statement('SET vecsim.simd_level = scalar');
SELECT vecsim_simd_info();
RESET vecsim.simd_level;
SELECT try_statement('SET vecsim.no_such_setting = 1');

CREATE TABLE kernel_pairs AS
  SELECT d, a::vector AS a, b::vector AS b, a AS fa, b AS fb
    FROM (SELECT d,
                 array_agg(((i * 7919 + d * 31) % 2003) / 1000.0 - 1.0 ORDER BY i)::real[] AS a,
                 array_agg(((i * 104729 + d * 17) % 1999) / 999.0 - 1.0 ORDER BY i)::real[] AS b
            FROM (SELECT d FROM generate_series(1, 70) d
                  UNION SELECT unnest(ARRAY[127, 128, 129, 255, 256, 257, 511, 512, 513, 1023, 1536, 16000])) ds,
                 generate_series(1, d) i
           GROUP BY d) s;

CREATE FUNCTION ref_l2sq(a real[], b real[]) RETURNS float8 LANGUAGE sql IMMUTABLE AS
  'SELECT sum((x::float8 - y::float8) ^ 2) FROM unnest(a, b) u(x, y)';
CREATE FUNCTION ref_dot(a real[], b real[]) RETURNS float8 LANGUAGE sql IMMUTABLE AS
  'SELECT sum(x::float8 * y::float8) FROM unnest(a, b) u(x, y)';
CREATE FUNCTION ref_abs_dot(a real[], b real[]) RETURNS float8 LANGUAGE sql IMMUTABLE AS
  'SELECT sum(abs(x::float8 * y::float8)) FROM unnest(a, b) u(x, y)';
CREATE FUNCTION ref_l1(a real[], b real[]) RETURNS float8 LANGUAGE sql IMMUTABLE AS
  'SELECT sum(abs(x::float8 - y::float8)) FROM unnest(a, b) u(x, y)';

CREATE FUNCTION kernel_errors() RETURNS TABLE (pairs bigint, l2_bad bigint, l2_root_bad bigint,
                                               ip_bad bigint, l1_bad bigint, cosine_bad bigint)
LANGUAGE sql AS $$
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE abs(vector_l2_squared_distance(a, b) - ref_l2sq(fa, fb))
                              > 1e-5 * ref_l2sq(fa, fb)) AS l2_bad,
       count(*) FILTER (WHERE abs(l2_distance(a, b) - sqrt(ref_l2sq(fa, fb)))
                              > 1e-5 * sqrt(ref_l2sq(fa, fb))) AS l2_root_bad,
       count(*) FILTER (WHERE abs(inner_product(a, b) - ref_dot(fa, fb))
                              > 1e-5 * ref_abs_dot(fa, fb)) AS ip_bad,
       count(*) FILTER (WHERE abs(l1_distance(a, b) - ref_l1(fa, fb))
                              > 1e-5 * ref_l1(fa, fb)) AS l1_bad,
       count(*) FILTER (WHERE abs(cosine_distance(a, b)
                              - (1 - ref_dot(fa, fb) / sqrt(ref_dot(fa, fa) * ref_dot(fb, fb))))
                              > 1e-5) AS cosine_bad
  FROM kernel_pairs
$$;

-- every level the CPU has; a level it lacks is refused by SET (checked below)
CREATE TABLE kernel_results AS SELECT 'none'::text AS level, * FROM kernel_errors() WHERE false;
DO $$
DECLARE
  level text;
BEGIN
  FOREACH level IN ARRAY ARRAY['scalar', 'x86-64-v3', 'x86-64-v4'] LOOP
    BEGIN
      EXECUTE format('SET vecsim.simd_level = %I', level);
    EXCEPTION WHEN invalid_parameter_value THEN
      CONTINUE;
    END;
    INSERT INTO kernel_results SELECT level, * FROM kernel_errors();
  END LOOP;
  RESET vecsim.simd_level;
END $$;
SELECT count(*) >= 1 AS levels_tested, bool_and(level <> 'scalar' OR pairs = 82) AS scalar_ran,
       sum(l2_bad + l2_root_bad + ip_bad + l1_bad + cosine_bad) AS bad
  FROM kernel_results;
SELECT pairs, l2_bad, l2_root_bad, ip_bad, l1_bad, cosine_bad FROM kernel_errors();

-- unaligned inputs: a vector read at every offset of a longer one
SELECT count(*) FILTER (WHERE abs(l2_distance(subvector(a, o, 37), subvector(b, o, 37))
                                  - sqrt(ref_l2sq(fa[o:o + 36], fb[o:o + 36])))
                              > 1e-5 * sqrt(ref_l2sq(fa[o:o + 36], fb[o:o + 36]))) AS unaligned_bad
  FROM kernel_pairs, generate_series(1, 16) o WHERE d = 70;
DROP TABLE kernel_pairs, kernel_results;
