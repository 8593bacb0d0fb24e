-- test/surface/catalogue.sql: the SQL surface of the installed vecsim
-- extension as text, one line per object or operator-class member:
--
--   KIND | KEY | name=value; name=value ...
--
-- KIND | KEY names the object (functions and operators by signature,
-- opclass members by AM/family/opNN|procNN/left,right); the attributes are
-- those that make up the pgvector-compatible contract, in a fixed order.
-- test/surface/expected.txt holds the expected lines; check_surface.py
-- compares the two. Run with psql -X -At -v ext=vecsim -f catalogue.sql
-- (ext=vector for vecsim installed under pgvector's name: the same lines).
--
-- Only catalogue rows that depend on the extension (pg_depend deptype 'e')
-- are listed, so built-in objects never appear; a member of any other
-- catalogue is listed by its description (kind 'object'). Settings are
-- listed for the library's own prefix (vecsim, whichever name the extension
-- was created under) and the prefixes named after its access methods; the
-- library is
-- loaded first (by reading a vector literal) so that they exist.
\set ON_ERROR_STOP on
\set QUIET on
\pset format unaligned
\pset tuples_only on
\pset footer off
\pset pager off
SET client_min_messages = warning;

SELECT set_config('search_path', quote_ident(n.nspname) || ', pg_catalog', false) AS path_set
  FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace
 WHERE x.extname = :'ext' \gset

SELECT '[1]'::vector IS NOT NULL AS library_loaded \gset

CREATE TEMP VIEW ext_member AS
  SELECT d.classid::regclass AS catalog, d.objid
    FROM pg_depend d JOIN pg_extension x ON x.oid = d.refobjid
   WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND x.extname = :'ext';

-- name(argument types) of a function, op(left,right) of an operator.
CREATE FUNCTION pg_temp.fn(p oid) RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT proname || '(' || pg_get_function_identity_arguments(oid) || ')' FROM pg_proc WHERE oid = p $$;
CREATE FUNCTION pg_temp.op(o oid) RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT oprname || '(' || coalesce(format_type(nullif(oprleft, 0), NULL), 'NONE') || ','
                           || coalesce(format_type(nullif(oprright, 0), NULL), 'NONE') || ')'
       FROM pg_operator WHERE oid = o $$;
CREATE FUNCTION pg_temp.proname(p oid) RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT coalesce((SELECT proname::text FROM pg_proc WHERE oid = p), '-') $$;
-- "name=value; name=value" from alternating names and values (NULL -> -).
CREATE FUNCTION pg_temp.attrs(VARIADIC kv text[]) RETURNS text LANGUAGE sql IMMUTABLE AS
  $$ SELECT string_agg(kv[i] || '=' || coalesce(kv[i + 1], '-'), '; ' ORDER BY i)
       FROM generate_series(1, array_length(kv, 1), 2) AS i $$;

WITH catalogue(kind, key, attributes) AS (
  SELECT 'extension', 'self', pg_temp.attrs('relocatable', extrelocatable::text)
    FROM pg_extension WHERE extname = :'ext'
UNION ALL
  SELECT 'type', format_type(t.oid, NULL), pg_temp.attrs(
           'len', t.typlen::text, 'byval', t.typbyval::text, 'typtype', t.typtype::text,
           'category', t.typcategory::text, 'preferred', t.typispreferred::text,
           'delim', t.typdelim::text, 'align', t.typalign::text, 'storage', t.typstorage::text,
           'input', pg_temp.proname(t.typinput), 'output', pg_temp.proname(t.typoutput),
           'receive', pg_temp.proname(t.typreceive), 'send', pg_temp.proname(t.typsend),
           'typmodin', pg_temp.proname(t.typmodin), 'typmodout', pg_temp.proname(t.typmodout),
           'analyze', pg_temp.proname(t.typanalyze),
           'elem', format_type(nullif(t.typelem, 0), NULL), 'array', format_type(nullif(t.typarray, 0), NULL),
           'collatable', (t.typcollation <> 0)::text, 'default', t.typdefault,
           'typmod3', format_type(t.oid, 3))
    FROM pg_type t JOIN ext_member m ON m.catalog = 'pg_type'::regclass AND m.objid = t.oid
UNION ALL
  SELECT 'arraytype', format_type(a.oid, NULL), pg_temp.attrs(
           'elem', format_type(a.typelem, NULL), 'align', a.typalign::text,
           'storage', a.typstorage::text, 'typmodin', pg_temp.proname(a.typmodin))
    FROM pg_type t JOIN ext_member m ON m.catalog = 'pg_type'::regclass AND m.objid = t.oid
    JOIN pg_type a ON a.oid = t.typarray
UNION ALL
  SELECT CASE WHEN p.prokind = 'a' THEN 'aggregate' ELSE 'function' END, pg_temp.fn(p.oid),
         CASE WHEN p.prokind = 'a' THEN pg_temp.attrs(
                'returns', pg_get_function_result(p.oid), 'sfunc', pg_temp.fn(g.aggtransfn),
                'stype', format_type(g.aggtranstype, NULL), 'initcond', g.agginitval,
                'finalfunc', pg_temp.fn(nullif(g.aggfinalfn, 0)),
                'combinefunc', pg_temp.fn(nullif(g.aggcombinefn, 0)), 'parallel', p.proparallel::text)
              ELSE pg_temp.attrs(
                'returns', pg_get_function_result(p.oid), 'lang', l.lanname::text,
                'volatility', p.provolatile::text, 'strict', p.proisstrict::text,
                'parallel', p.proparallel::text) END
    FROM pg_proc p JOIN ext_member m ON m.catalog = 'pg_proc'::regclass AND m.objid = p.oid
    JOIN pg_language l ON l.oid = p.prolang
    LEFT JOIN pg_aggregate g ON g.aggfnoid = p.oid
UNION ALL
  SELECT 'operator', pg_temp.op(o.oid), pg_temp.attrs(
           'returns', format_type(o.oprresult, NULL), 'function', pg_temp.fn(o.oprcode),
           'commutator', pg_temp.op(nullif(o.oprcom, 0)), 'negator', pg_temp.op(nullif(o.oprnegate, 0)),
           'restrict', pg_temp.proname(o.oprrest), 'join', pg_temp.proname(o.oprjoin))
    FROM pg_operator o JOIN ext_member m ON m.catalog = 'pg_operator'::regclass AND m.objid = o.oid
UNION ALL
  SELECT 'cast', format_type(c.castsource, NULL) || ' -> ' || format_type(c.casttarget, NULL), pg_temp.attrs(
           'context', CASE c.castcontext WHEN 'i' THEN 'implicit' WHEN 'a' THEN 'assignment' ELSE 'explicit' END,
           'method', CASE c.castmethod WHEN 'f' THEN 'function' WHEN 'b' THEN 'binary' ELSE 'inout' END,
           'function', pg_temp.fn(nullif(c.castfunc, 0)))
    FROM pg_cast c JOIN ext_member m ON m.catalog = 'pg_cast'::regclass AND m.objid = c.oid
UNION ALL
  SELECT 'am', a.amname::text, pg_temp.attrs('amtype', a.amtype::text, 'handler', pg_temp.fn(a.amhandler))
    FROM pg_am a JOIN ext_member m ON m.catalog = 'pg_am'::regclass AND m.objid = a.oid
UNION ALL
  SELECT 'opfamily', am.amname || '/' || f.opfname, '-'
    FROM pg_opfamily f JOIN ext_member m ON m.catalog = 'pg_opfamily'::regclass AND m.objid = f.oid
    JOIN pg_am am ON am.oid = f.opfmethod
UNION ALL
  SELECT 'opclass', am.amname || '/' || c.opcname, pg_temp.attrs(
           'type', format_type(c.opcintype, NULL), 'default', c.opcdefault::text)
    FROM pg_opclass c JOIN ext_member m ON m.catalog = 'pg_opclass'::regclass AND m.objid = c.oid
    JOIN pg_am am ON am.oid = c.opcmethod
UNION ALL
  SELECT 'amop', am.amname || '/' || f.opfname || '/op' || lpad(o.amopstrategy::text, 2, '0') || '/'
           || format_type(o.amoplefttype, NULL) || ',' || format_type(o.amoprighttype, NULL),
         pg_temp.attrs('operator', pg_temp.op(o.amopopr),
           'purpose', CASE o.amoppurpose WHEN 'o' THEN 'order' ELSE 'search' END,
           'sortfamily', (SELECT sa.amname || '/' || sf.opfname FROM pg_opfamily sf
                            JOIN pg_am sa ON sa.oid = sf.opfmethod WHERE sf.oid = o.amopsortfamily))
    FROM pg_amop o JOIN ext_member m ON m.catalog = 'pg_opfamily'::regclass AND m.objid = o.amopfamily
    JOIN pg_opfamily f ON f.oid = o.amopfamily JOIN pg_am am ON am.oid = f.opfmethod
UNION ALL
  SELECT 'amproc', am.amname || '/' || f.opfname || '/proc' || lpad(p.amprocnum::text, 2, '0') || '/'
           || format_type(p.amproclefttype, NULL) || ',' || format_type(p.amprocrighttype, NULL),
         pg_temp.attrs('function', pg_temp.fn(p.amproc))
    FROM pg_amproc p JOIN ext_member m ON m.catalog = 'pg_opfamily'::regclass AND m.objid = p.amprocfamily
    JOIN pg_opfamily f ON f.oid = p.amprocfamily JOIN pg_am am ON am.oid = f.opfmethod
UNION ALL
  SELECT 'guc', s.name, pg_temp.attrs(
           'type', s.vartype, 'context', s.context,
           -- vecsim.simd_level boots at the best level of the CPU it runs on
           'boot', CASE WHEN s.name = 'vecsim.simd_level' THEN 'best-of-cpu' ELSE s.boot_val END,
           'min', s.min_val,
           'max', s.max_val, 'enumvals', array_to_string(s.enumvals, ','))
    FROM pg_settings s
   WHERE split_part(s.name, '.', 1) = 'vecsim'
      OR split_part(s.name, '.', 1) IN
         (SELECT a.amname FROM pg_am a JOIN ext_member m ON m.catalog = 'pg_am'::regclass AND m.objid = a.oid)
UNION ALL
  -- anything else the extension owns (a table, a schema, ...): named, so
  -- that an unexpected object cannot pass unseen
  SELECT 'object', coalesce(pg_describe_object(m.catalog, m.objid, 0), m.catalog::text || ' ' || m.objid), '-'
    FROM ext_member m
   WHERE m.catalog NOT IN ('pg_type'::regclass, 'pg_proc'::regclass, 'pg_operator'::regclass,
                           'pg_cast'::regclass, 'pg_am'::regclass, 'pg_opfamily'::regclass,
                           'pg_opclass'::regclass)
)
SELECT line FROM (SELECT kind || ' | ' || key || ' | ' || attributes AS line FROM catalogue) AS lines
 ORDER BY line COLLATE "C";
