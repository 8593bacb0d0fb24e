-- src/pg/sql/ivfflat.sql: the ivfflat access method (docs/reference.md 7),
-- its type descriptors and the bit operator class. The operator classes of
-- vector and halfvec come from ivfflat_opclasses.sql.in, after this file;
-- vecsim's verify and lists functions are in vecsim_functions.sql.

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
