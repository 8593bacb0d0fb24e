-- src/pg/sql/hnsw.sql: the hnsw access method (docs/reference.md 7), its type
-- descriptors, the two bit operator classes, and vecsim's verify
-- function. The 12 operator classes of vector, halfvec and sparsevec come
-- from hnsw_opclasses.sql.in, after this file.

CREATE FUNCTION hnswhandler(internal) RETURNS index_am_handler
    AS 'MODULE_PATHNAME', 'vecsim_hnswhandler' LANGUAGE C;
CREATE ACCESS METHOD hnsw TYPE INDEX HANDLER hnswhandler;
COMMENT ON ACCESS METHOD hnsw IS 'hnsw index access method';

CREATE FUNCTION hnsw_halfvec_support(internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'vecsim_hnsw_halfvec_support' LANGUAGE C;
CREATE FUNCTION hnsw_bit_support(internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'vecsim_hnsw_bit_support' LANGUAGE C;
CREATE FUNCTION hnsw_sparsevec_support(internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'vecsim_hnsw_sparsevec_support' LANGUAGE C;

CREATE OPERATOR CLASS bit_hamming_ops FOR TYPE bit USING hnsw AS
    OPERATOR 1 <~> (bit, bit) FOR ORDER BY float_ops,
    FUNCTION 1 hamming_distance(bit, bit),
    FUNCTION 3 hnsw_bit_support(internal);
CREATE OPERATOR CLASS bit_jaccard_ops FOR TYPE bit USING hnsw AS
    OPERATOR 1 <%> (bit, bit) FOR ORDER BY float_ops,
    FUNCTION 1 jaccard_distance(bit, bit),
    FUNCTION 3 hnsw_bit_support(internal);

-- A vecsim addition (pgvector has no such function): checks an hnsw index
-- against its documented invariants (docs/hnsw.md) and says what it
-- counted; a broken invariant raises XX002.
CREATE FUNCTION vecsim_hnsw_verify(index regclass, OUT elements bigint, OUT violations bigint,
                                   OUT unreachable bigint, OUT above_entry bigint,
                                   OUT count_matches boolean)
    AS 'MODULE_PATHNAME', 'vecsim_hnsw_verify' LANGUAGE C STRICT;
