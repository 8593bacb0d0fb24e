-- src/pg/sql/vecsim_functions.sql: the functions vecsim adds to pgvector's
-- surface (pgvector has none of them). With the filter operator classes
-- (hnsw_filter*.sql) they make up the additions part of the script: what
-- ALTER EXTENSION vector UPDATE adds to a database that has pgvector's
-- objects only (docs/reference.md 2).

-- Checks an hnsw index
-- against its documented invariants (docs/hnsw.md) and says what it
-- counted; a broken invariant raises XX002.
CREATE FUNCTION vecsim_hnsw_verify(index regclass, OUT elements bigint, OUT violations bigint,
                                   OUT unreachable bigint, OUT above_entry bigint,
                                   OUT count_matches boolean)
    AS 'MODULE_PATHNAME', 'vecsim_hnsw_verify' LANGUAGE C STRICT;

-- A check of an ivfflat index
-- against its invariants and its table (docs/ivfflat.md), and per list its
-- size and mean distance to its centre, now and at build time.
CREATE FUNCTION vecsim_ivfflat_verify(index regclass, OUT lists bigint, OUT entries bigint,
                                      OUT missing bigint, OUT duplicates bigint, OUT stale bigint,
                                      OUT orphan_pages bigint)
    AS 'MODULE_PATHNAME', 'vecsim_ivfflat_verify' LANGUAGE C STRICT;
CREATE FUNCTION vecsim_ivfflat_lists(index regclass)
    RETURNS TABLE (list integer, rows bigint, mean_distance double precision,
                   build_rows bigint, build_mean_distance double precision)
    AS 'MODULE_PATHNAME', 'vecsim_ivfflat_lists' LANGUAGE C STRICT;

-- The SIMD level of the distance kernels this server process uses.
CREATE FUNCTION vecsim_simd_info() RETURNS text
    AS 'MODULE_PATHNAME', 'vecsim_simd_info' LANGUAGE C STABLE STRICT PARALLEL SAFE;
