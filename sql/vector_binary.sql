-- vector: binary send/recv in pgvector's wire format (docs/reference.md 3.7).

SELECT vector_send('[1,2]');
SELECT vector_send('[-0,1e-45,3.4028235e38]');

-- well-formed images
SELECT recv_as('\x000200003f80000040000000', 'vector') AS two_dims;
SELECT recv_as('\x000200003f80000040000000', 'vector(2)') AS typmod_ok;
SELECT recv_as(vector_send(v), 'vector') = v::text AS round_trip
  FROM (VALUES ('[1,2,3]'::vector), ('[-0,1e-45,3.4028235e38,0.1]')) t(v);

-- rejected images, in pgvector's check order
SELECT name, recv_as(payload::bytea, type) AS result FROM (VALUES
  ('dims 0',                 '\x00000000',                   'vector'),
  ('dims 16001',             '\x3e810000',                   'vector'),
  ('dims ffff: -1 as int16',  '\xffff0000',                   'vector'),
  ('dims vs typmod',         '\x000200003f80000040000000',   'vector(3)'),
  ('unused != 0',            '\x000100013f800000',           'vector'),
  ('typmod before unused',   '\x000100013f800000',           'vector(2)'),
  ('NaN element',            '\x000200007fc000003f800000',   'vector'),
  ('infinite element',       '\x000100007f800000',           'vector'),
  ('-infinite element',      '\x00010000ff800000',           'vector'),
  ('NaN before short end',   '\x000200007fc00000',           'vector'),
  ('short header',           '\x0001',                       'vector'),
  ('short elements',         '\x000200003f800000',           'vector'),
  ('bytes left over',        '\x000100003f80000000',         'vector')
) AS t(name, payload, type);
