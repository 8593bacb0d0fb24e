-- The index settings hnsw.* and ivfflat.* (docs/reference.md 2, 10), defined when the
-- library loads. This session has not used vecsim yet, so the library is
-- not loaded at its start.

-- before the library loads: unknown (42704); SET makes placeholders
SELECT try_statement('SHOW hnsw.ef_search');
SET hnsw.ef_search = 'abc';
SET hnsw.max_scan_tuples = 0;
SET ivfflat.probes = 7;
SET hnsw.no_such_setting = 1;

-- loading the library checks the placeholders: invalid values give a
-- WARNING and keep the default, valid ones stay; unknown names under the
-- reserved prefixes are removed with a WARNING
SELECT '[1,2]'::vector;
SHOW hnsw.ef_search;
SHOW hnsw.max_scan_tuples;
SHOW ivfflat.probes;
SELECT try_statement('SHOW hnsw.no_such_setting');
RESET ivfflat.probes;

-- the catalogue view
SELECT name, setting, vartype, context, min_val, max_val, enumvals, boot_val, unit
  FROM pg_settings WHERE name ~ '^(hnsw|ivfflat)\.' ORDER BY name;

-- ranges and values: 22023 outside them; the reserved prefixes: 42602
SELECT s AS statement, try_statement(s) FROM unnest(ARRAY[
  'SET hnsw.ef_search = 1', 'SET hnsw.ef_search = 1000', 'SET hnsw.ef_search = 0',
  'SET hnsw.ef_search = 1001', 'SET hnsw.ef_search = 1.5',
  'SET hnsw.iterative_scan = relaxed_order', 'SET hnsw.iterative_scan = strict_order',
  'SET hnsw.iterative_scan = on', 'SET hnsw.max_scan_tuples = 2147483647',
  'SET hnsw.max_scan_tuples = 0', 'SET hnsw.scan_mem_multiplier = 1000',
  'SET hnsw.scan_mem_multiplier = 0.5', 'SET hnsw.scan_mem_multiplier = 1000.5',
  'SET ivfflat.probes = 32768', 'SET ivfflat.probes = 0', 'SET ivfflat.probes = 32769',
  'SET ivfflat.iterative_scan = relaxed_order', 'SET ivfflat.iterative_scan = strict_order',
  'SET ivfflat.max_probes = 1', 'SET ivfflat.max_probes = 32769',
  'SET hnsw.ef_serch = 10', 'SET ivfflat.prob = 1', 'SET vecsim.anything = 1'
]) AS s;
RESET ALL;

-- SET LOCAL, and settings per role and database, as for any setting
BEGIN;
SET LOCAL hnsw.ef_search = 200;
SHOW hnsw.ef_search;
COMMIT;
SHOW hnsw.ef_search;
SELECT set_config('hnsw.iterative_scan', 'relaxed_order', false);
SHOW hnsw.iterative_scan;
RESET hnsw.iterative_scan;
SHOW hnsw.iterative_scan;
