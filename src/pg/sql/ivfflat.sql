-- src/pg/sql/ivfflat.sql: the ivfflat access method (docs/reference.md 7),
-- its type descriptors, the bit operator class, and vecsim's verify and
-- lists functions. The operator classes of vector and halfvec come from
-- ivfflat_opclasses.sql.in, after this file.

CREATE FUNCTION ivfflathandler(internal) RETURNS index_am_handler
    AS 'MODULE_PATHNAME', 'vecsim_ivfflathandler' LANGUAGE C;
CREATE ACCESS METHOD ivfflat TYPE INDEX HANDLER ivfflathandler;
COMMENT ON ACCESS METHOD ivfflat IS 'ivfflat index access method';

CREATE FUNCTION ivfflat_halfvec_support(internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'vecsim_ivfflat_halfvec_support' LANGUAGE C;
CREATE FUNCTION ivfflat_bit_support(internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'vecsim_ivfflat_bit_support' LANGUAGE C;

CREATE OPERATOR CLASS bit_hamming_ops FOR TYPE bit USING ivfflat AS
    OPERATOR 1 <~> (bit, bit) FOR ORDER BY float_ops,
    FUNCTION 1 hamming_distance(bit, bit),
    FUNCTION 3 hamming_distance(bit, bit),
    FUNCTION 5 ivfflat_bit_support(internal);

-- vecsim additions (pgvector has neither): a check of an ivfflat index
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
