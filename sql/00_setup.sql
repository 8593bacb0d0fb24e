-- Creates the extension and the helpers every other test uses.
CREATE EXTENSION vecsim;

-- try(expr): the value of a SQL expression as text, or its error as
-- 'SQLSTATE: message'. Lets one table show many inputs with their outcome.
CREATE FUNCTION try(expr text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  result text;
BEGIN
  EXECUTE 'SELECT (' || expr || ')::text' INTO result;
  RETURN coalesce(result, 'NULL');
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- try_statement(sql): 'ok', or the statement's error as 'SQLSTATE: message'.
CREATE FUNCTION try_statement(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE sql;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- recv_as(payload, type): feeds payload as the binary wire image of one
-- value of `type` through COPY ... (FORMAT binary), which calls the type's
-- receive function with the column's typmod. Returns the value's text form
-- or 'SQLSTATE: message'.
CREATE FUNCTION recv_as(payload bytea, type text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  file text := 'vecsim_recv_' || pg_backend_pid() || '.bin';
  copy_image bytea;
  lo oid;
  result text;
BEGIN
  copy_image := '\x5047434f50590aff0d0a00'::bytea        -- PGCOPY\n\377\r\n\0
             || '\x0000000000000000'::bytea              -- flags, header extension
             || '\x0001'::bytea                          -- one field
             || int4send(length(payload)) || payload
             || '\xffff'::bytea;                         -- trailer
  lo := lo_from_bytea(0, copy_image);
  PERFORM lo_export(lo, file);
  PERFORM lo_unlink(lo);
  EXECUTE format('CREATE TEMP TABLE recv_target (v %s)', type);
  BEGIN
    EXECUTE format('COPY recv_target FROM %L WITH (FORMAT binary)', file);
    SELECT v::text INTO result FROM recv_target;
  EXCEPTION WHEN OTHERS THEN
    result := SQLSTATE || ': ' || SQLERRM;
  END;
  DROP TABLE recv_target;
  RETURN result;
END $$;

-- clustered_rows(n, dims, seed): n points of a mixture of 20 clusters in
-- dims dimensions (centres from a fixed formula, uniform noise of width
-- 0.3), reproducible for a seed. For the index tests.
CREATE FUNCTION clustered_rows(n int, dims int, seed float8)
RETURNS TABLE (id int, v float4[]) LANGUAGE plpgsql AS $$
BEGIN
  PERFORM setseed(seed);
  RETURN QUERY
    SELECT i, array_agg((sin((i % 20) * 12.9898 + j * 78.233) + (random() - 0.5) * 0.3)::float4
                        ORDER BY j)
      FROM generate_series(1, n) i, generate_series(1, dims) j
     GROUP BY i ORDER BY i;
END $$;

-- knn_recall(tbl, expr, op, queries, k): recall@k of index scans of
-- ORDER BY expr op q LIMIT k, for every q the query `queries` returns (as
-- SQL literals with their casts). A returned row counts as right when its
-- distance is within the exact k-th distance, so ties cannot make a right
-- answer look wrong. Raises if a scan is not an index scan.
CREATE FUNCTION knn_recall(tbl text, expr text, op text, queries text, k int DEFAULT 10)
RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
  q text;
  kth float8;
  got bigint;
  hits bigint := 0;
  total bigint := 0;
  approx text;
  line text;
  indexed boolean;
BEGIN
  FOR q IN EXECUTE queries LOOP
    PERFORM set_config('enable_indexscan', 'off', true);
    EXECUTE format('SELECT max(d) FROM (SELECT %s %s %s AS d FROM %s ORDER BY 1 LIMIT %s) s',
                   expr, op, q, tbl, k) INTO kth;
    PERFORM set_config('enable_indexscan', 'on', true);
    PERFORM set_config('enable_seqscan', 'off', true);
    approx := format('SELECT %s %s %s AS d FROM %s ORDER BY %s %s %s LIMIT %s',
                     expr, op, q, tbl, expr, op, q, k);
    indexed := false;
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || approx LOOP
      indexed := indexed OR line LIKE '%Index Scan%';
    END LOOP;
    IF NOT indexed THEN
      RAISE EXCEPTION 'not an index scan: %', approx;
    END IF;
    EXECUTE format('SELECT count(*) FROM (%s) s WHERE d <= %s', approx, kth + 1e-6) INTO got;
    PERFORM set_config('enable_seqscan', 'on', true);
    hits := hits + got;
    total := total + k;
  END LOOP;
  RETURN hits::float8 / total;
END $$;
