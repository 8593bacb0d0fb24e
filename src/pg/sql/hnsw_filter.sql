-- src/pg/sql/hnsw_filter.sql: what hnsw's filter columns share
-- (docs/hnsw_filtering.md), a vecsim addition: pgvector's hnsw indexes
-- have one column. The operator classes of the ordered types come from
-- hnsw_filter_opclasses.sql.in, after this file; text's is here (= only:
-- its key is a hash), and arrays' (one class for every array type; an index
-- takes arrays of int2, int4, int8, text and varchar: strategies 6 &&,
-- 7 @>, 8 <@, answered from a signature and rechecked). The integer types
-- form one family, so that a bigint column takes an int4 constant as an
-- index key.

CREATE OPERATOR FAMILY integer_ops USING hnsw;

CREATE OPERATOR CLASS text_ops DEFAULT FOR TYPE text USING hnsw AS
    OPERATOR 3 =;

CREATE OPERATOR CLASS array_ops DEFAULT FOR TYPE anyarray USING hnsw AS
    OPERATOR 6 && (anyarray, anyarray), OPERATOR 7 @> (anyarray, anyarray),
    OPERATOR 8 <@ (anyarray, anyarray);
