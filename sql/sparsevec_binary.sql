-- sparsevec: binary send/recv in pgvector's wire format (docs/reference.md 3.2, 3.7).
-- Layout: int32 dims, int32 nnz, int32 unused, nnz int32 0-based indices,
-- nnz float32 values. Payloads are written with spaces between fields.

SELECT sparsevec_send('{1:1,3:2}/5');
SELECT sparsevec_send('{}/1'), sparsevec_send('{1000000000:-0.5}/1000000000');

-- well-formed images
SELECT name, recv_as(payload::bytea, type) AS result FROM (VALUES
  ('two values',        '\x00000005 00000002 00000000 00000000 00000002 3f800000 40000000', 'sparsevec'),
  ('typmod ok',         '\x00000005 00000002 00000000 00000000 00000002 3f800000 40000000', 'sparsevec(5)'),
  ('nothing stored',    '\x00000001 00000000 00000000',                                     'sparsevec'),
  ('dims 1e9',          '\x3b9aca00 00000001 00000000 3b9ac9ff bf000000',                   'sparsevec'),
  ('subnormal value',   '\x00000002 00000001 00000000 00000001 00000001',                   'sparsevec'),
  ('nnz = dims',        '\x00000002 00000002 00000000 00000000 00000001 3f800000 c0000000', 'sparsevec')
) AS t(name, payload, type);
SELECT recv_as(sparsevec_send(v), 'sparsevec') = v::text AS round_trip
  FROM (VALUES ('{1:1,3:2}/5'::sparsevec), ('{}/7'), ('{2:1e-45,9:-3.4028235e38,1000000000:0.1}/1000000000')) t(v);
-- the largest nnz, 16000
SELECT CASE WHEN r = expected THEN 'ok' ELSE left(r, 80) END AS max_nnz
  FROM (SELECT recv_as(int4send(16000) || int4send(16000) || int4send(0)
                       || (SELECT string_agg(int4send(i), ''::bytea ORDER BY i) FROM generate_series(0, 15999) i)
                       || decode(repeat('3f800000', 16000), 'hex'), 'sparsevec') AS r,
               array_fill(1::real, ARRAY[16000])::sparsevec::text AS expected) t;

-- rejected images, in pgvector's check order
SELECT name, recv_as(payload::bytea, type) AS result FROM (VALUES
  ('dims 0',                   '\x00000000 00000000 00000000',                                     'sparsevec'),
  ('dims -1',                  '\xffffffff 00000000 00000000',                                     'sparsevec'),
  ('dims 1e9 + 1',             '\x3b9aca01 00000000 00000000',                                     'sparsevec'),
  ('dims 2^31 - 1',            '\x7fffffff 00000000 00000000',                                     'sparsevec'),
  ('dims before nnz',          '\x00000000 ffffffff 00000000',                                     'sparsevec'),
  ('nnz -1',                   '\x00000005 ffffffff 00000000',                                     'sparsevec'),
  ('nnz 16001',                '\x000186a0 00003e81 00000000',                                     'sparsevec'),
  ('nnz 16001 > dims 5',       '\x00000005 00003e81 00000000',                                     'sparsevec'),
  ('nnz > dims',               '\x00000001 00000002 00000000',                                     'sparsevec'),
  ('nnz > dims before typmod', '\x00000001 00000002 00000000',                                     'sparsevec(3)'),
  ('dims vs typmod',           '\x00000005 00000002 00000000 00000000 00000002 3f800000 40000000', 'sparsevec(4)'),
  ('unused != 0',              '\x00000005 00000001 00000001 00000000 3f800000',                   'sparsevec'),
  ('typmod before unused',     '\x00000005 00000001 00000001 00000000 3f800000',                   'sparsevec(4)'),
  ('index = dims',             '\x00000005 00000001 00000000 00000005 3f800000',                   'sparsevec'),
  ('index -1',                 '\x00000005 00000001 00000000 ffffffff 3f800000',                   'sparsevec'),
  ('index 2^31 - 1',           '\x00000005 00000001 00000000 7fffffff 3f800000',                   'sparsevec'),
  ('descending',               '\x00000005 00000002 00000000 00000002 00000000 3f800000 3f800000', 'sparsevec'),
  ('duplicate',                '\x00000005 00000002 00000000 00000002 00000002 3f800000 3f800000', 'sparsevec'),
  ('bounds after order',       '\x00000005 00000002 00000000 00000002 00000009 3f800000 3f800000', 'sparsevec'),
  ('bounds before order',      '\x00000005 00000002 00000000 00000002 ffffffff 3f800000 3f800000', 'sparsevec'),
  ('index before value',       '\x00000005 00000002 00000000 00000002 00000000 7fc00000 00000000', 'sparsevec'),
  ('NaN value',                '\x00000005 00000001 00000000 00000000 7fc00000',                   'sparsevec'),
  ('infinite value',           '\x00000005 00000001 00000000 00000000 7f800000',                   'sparsevec'),
  ('-infinite value',          '\x00000005 00000001 00000000 00000000 ff800000',                   'sparsevec'),
  ('zero value',               '\x00000005 00000001 00000000 00000000 00000000',                   'sparsevec'),
  ('-0 value',                 '\x00000005 00000001 00000000 00000000 80000000',                   'sparsevec'),
  ('NaN, then zero',           '\x00000005 00000002 00000000 00000000 00000001 7fc00000 00000000', 'sparsevec'),
  ('zero, then NaN',           '\x00000005 00000002 00000000 00000000 00000001 00000000 7fc00000', 'sparsevec'),
  ('bad index, short values',  '\x00000005 00000001 00000000 00000009',                            'sparsevec'),
  ('empty message',            '\x',                                                               'sparsevec'),
  ('short dims',               '\x000000',                                                         'sparsevec'),
  ('short header',             '\x00000005 00000001',                                              'sparsevec'),
  ('short indices',            '\x00000005 00000002 00000000 00000000',                            'sparsevec'),
  ('short values',             '\x00000005 00000001 00000000 00000000 3f80',                       'sparsevec'),
  ('bytes left over',          '\x00000005 00000001 00000000 00000000 3f800000 00',                'sparsevec'),
  ('value left over',          '\x00000005 00000001 00000000 00000000 3f800000 40000000',          'sparsevec')
) AS t(name, payload, type);
