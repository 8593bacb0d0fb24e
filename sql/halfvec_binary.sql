-- halfvec: binary send/recv in pgvector's wire format (docs/reference.md 3.2, 3.7).
-- Payloads are written with spaces between fields (bytea hex input skips them).

SELECT halfvec_send('[1,2]');
-- -0, the largest finite value, the smallest subnormal, -2: 8000 7bff 0001 c000
SELECT halfvec_send('[-0,65504,5.9604645e-08,-2]');

-- well-formed images
SELECT name, recv_as(payload::bytea, type) AS result FROM (VALUES
  ('two dims',            '\x0002 0000 3c00 4000',           'halfvec'),
  ('typmod ok',           '\x0002 0000 3c00 4000',           'halfvec(2)'),
  ('signed zeros',        '\x0002 0000 0000 8000',           'halfvec'),
  ('subnormals, normals', '\x0004 0000 0001 8001 03ff 0400', 'halfvec'),
  ('largest finite',      '\x0002 0000 7bff fbff',           'halfvec'),
  ('0.1 as binary16',     '\x0001 0000 2e66',                'halfvec')
) AS t(name, payload, type);
SELECT recv_as(halfvec_send(v), 'halfvec') = v::text AS round_trip
  FROM (VALUES ('[1,2,3]'::halfvec), ('[-0,5.9604645e-08,65504,0.1,1.23456]')) t(v);
SELECT vector_dims(recv_as('\x3e80 0000'::bytea || decode(repeat('3c00', 16000), 'hex'), 'halfvec')::halfvec)
  AS max_dims;

-- rejected images, in pgvector's check order
SELECT name, recv_as(payload::bytea, type) AS result FROM (VALUES
  ('dims 0',                      '\x0000 0000',                'halfvec'),
  ('dims 0, bytes after',         '\x0000 0000 3c00',           'halfvec'),
  ('dims 16001',                  '\x3e81 0000',                'halfvec'),
  ('dims 8000: -32768 as int16',       '\x8000 0000',                'halfvec'),
  ('dims ffff: -1 as int16',       '\xffff 0000',                'halfvec'),
  ('dims vs typmod',              '\x0002 0000 3c00 4000',      'halfvec(3)'),
  ('unused != 0',                 '\x0001 0001 3c00',           'halfvec'),
  ('unused 0x8000',               '\x0001 8000 3c00',           'halfvec'),
  ('typmod before unused',        '\x0001 0001 3c00',           'halfvec(2)'),
  ('NaN 7e00',                    '\x0002 0000 7e00 3c00',      'halfvec'),
  ('NaN 7c01',                    '\x0001 0000 7c01',           'halfvec'),
  ('NaN 7fff',                    '\x0001 0000 7fff',           'halfvec'),
  ('negative NaN fe00',           '\x0001 0000 fe00',           'halfvec'),
  ('NaN ffff',                    '\x0001 0000 ffff',           'halfvec'),
  ('infinity 7c00',               '\x0001 0000 7c00',           'halfvec'),
  ('-infinity fc00',              '\x0001 0000 fc00',           'halfvec'),
  ('NaN after a valid element',   '\x0002 0000 3c00 7e00',      'halfvec'),
  ('NaN before the short end',    '\x0002 0000 7e00',           'halfvec'),
  ('empty message',               '\x',                         'halfvec'),
  ('short dims',                  '\x00',                       'halfvec'),
  ('short header',                '\x0001',                     'halfvec'),
  ('short unused',                '\x0001 00',                  'halfvec'),
  ('short elements',              '\x0002 0000 3c00',           'halfvec'),
  ('half an element',             '\x0001 0000 3c',             'halfvec'),
  ('bytes left over',             '\x0001 0000 3c00 00',        'halfvec'),
  ('element left over',           '\x0001 0000 3c00 4000',      'halfvec')
) AS t(name, payload, type);

-- every finite binary16 pattern (65536 minus the 2048 NaN/infinity patterns),
-- packed 16000 to a value, goes through recv, text output, text input and send
-- unchanged, and decodes to sign * (1024 + m) * 2^(e - 25) (subnormals: m * 2^-24).
-- int2send takes smallint, so patterns above 32767 are passed as negatives.
CREATE TEMP TABLE hv_patterns AS
  SELECT p, row_number() OVER (ORDER BY p) - 1 AS rn,
         int2send((CASE WHEN p > 32767 THEN p - 65536 ELSE p END)::smallint) AS bits
    FROM generate_series(0, 65535) p
   WHERE (p & 31744) <> 31744;
SELECT count(*) AS finite_patterns FROM hv_patterns;
CREATE TEMP TABLE hv_chunks AS
  SELECT chunk, count(*) AS dims,
         int2send(count(*)::smallint) || '\x0000'::bytea || string_agg(bits, ''::bytea ORDER BY p) AS payload
    FROM (SELECT p, bits, rn / 16000 AS chunk FROM hv_patterns) s
   GROUP BY chunk;
ALTER TABLE hv_chunks ADD COLUMN received text;
UPDATE hv_chunks SET received = recv_as(payload, 'halfvec');
SELECT chunk, dims, left(received, 40) AS starts_with,
       CASE WHEN received LIKE '[%' THEN halfvec_send(received::halfvec) = payload END AS round_trip
  FROM hv_chunks ORDER BY chunk;
SELECT count(*) AS decoded,
       count(*) FILTER (WHERE u.val::float8 <>
         (CASE WHEN (h.p & 32768) <> 0 THEN -1 ELSE 1 END) *
         (CASE WHEN ((h.p >> 10) & 31) = 0
               THEN (h.p & 1023) * (2.0::float8 ^ (-24))
               ELSE ((h.p & 1023) + 1024) * (2.0::float8 ^ (((h.p >> 10) & 31) - 25)) END)) AS mismatches,
       count(*) FILTER (WHERE u.val::text = '-0') AS negative_zeros
  FROM hv_chunks c
       CROSS JOIN LATERAL unnest(c.received::halfvec::real[]) WITH ORDINALITY AS u(val, i)
       JOIN hv_patterns h ON h.rn = c.chunk * 16000 + u.i - 1;
DROP TABLE hv_patterns, hv_chunks;
