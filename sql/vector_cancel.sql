-- A statement cancelled in the middle of a long computation inside vecsim
-- ends with a clean ERROR (57014) and the session lives on.
CREATE TABLE big_vectors AS
  SELECT array_fill(i % 3 + 0.5, ARRAY[2000])::real[]::vector(2000) AS v FROM generate_series(1, 2000) i;
SET statement_timeout = '300ms';
-- about 40 million rows of vector(2000) would take minutes
SELECT avg(v) FROM big_vectors, generate_series(1, 20000);
SELECT sum(v) FROM big_vectors, generate_series(1, 20000);
SELECT count(*) FROM big_vectors a, big_vectors b WHERE a.v <-> b.v < 0;
RESET statement_timeout;
SELECT vector_dims(avg(v)), subvector(avg(v), 1, 3) FROM big_vectors;
DROP TABLE big_vectors;
