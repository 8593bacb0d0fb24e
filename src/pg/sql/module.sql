-- src/pg/module.sql: objects of the library as a whole.

-- The SIMD level of the distance kernels this server process uses. A vecsim
-- addition: pgvector has no such function.
CREATE FUNCTION vecsim_simd_info() RETURNS text
    AS 'MODULE_PATHNAME', 'vecsim_simd_info' LANGUAGE C STABLE STRICT PARALLEL SAFE;
