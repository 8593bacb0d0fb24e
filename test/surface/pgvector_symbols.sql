-- test/surface/pgvector_symbols.sql: each C function of the extension
-- created under the name vector, with the C symbol its catalogue names, as
-- test/surface/pgvector_symbols.txt lists them. Run with psql -X -At.
SELECT line FROM (
  SELECT format('%s | %s', p.oid::regprocedure, p.prosrc) AS line
    FROM pg_proc p
    JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
    JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'vector'
   WHERE p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')) f
 ORDER BY line COLLATE "C";
