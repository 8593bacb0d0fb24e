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

-- index_answers(tbl, expr, op, queries, k, cond, plan_shows): recall@k
-- of index scans of WHERE cond ORDER BY expr op q LIMIT k, for every q the
-- query `queries` returns (as SQL literals with their casts), against the
-- exact answers; full_count says whether every scan returned as many rows
-- as the exact one. A returned row counts as right when its distance is
-- within the exact k-th distance, so ties cannot make a right answer look
-- wrong. Raises unless each plan shows plan_shows (an index scan, or
-- index keys: 'Index Cond'), and if a returned row fails cond (evaluated
-- again on each row, apart from whatever keys the index applied).
CREATE FUNCTION index_answers(tbl text, expr text, op text, queries text, k int, cond text, plan_shows text,
                              OUT recall float8, OUT full_count boolean)
LANGUAGE plpgsql AS $$
DECLARE
  q text;
  kth float8;
  want bigint;
  got bigint;
  good bigint;
  failing bigint;
  hits bigint := 0;
  total bigint := 0;
  approx text;
  line text;
  shown boolean;
BEGIN
  full_count := true;
  FOR q IN EXECUTE queries LOOP
    PERFORM set_config('enable_indexscan', 'off', true);
    EXECUTE format('SELECT max(d), count(*) FROM (SELECT %s %s %s AS d FROM %s WHERE %s ORDER BY 1 LIMIT %s) s',
                   expr, op, q, tbl, cond, k) INTO kth, want;
    PERFORM set_config('enable_indexscan', 'on', true);
    PERFORM set_config('enable_seqscan', 'off', true);
    approx := format('SELECT %s %s %s AS d, (%s) AS ok FROM %s WHERE %s ORDER BY %s %s %s LIMIT %s',
                     expr, op, q, cond, tbl, cond, expr, op, q, k);
    shown := false;
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || approx LOOP
      shown := shown OR line LIKE '%' || plan_shows || '%';
    END LOOP;
    IF NOT shown THEN
      RAISE EXCEPTION 'no % in the plan of %', plan_shows, approx;
    END IF;
    EXECUTE format('SELECT count(*), count(*) FILTER (WHERE d <= %s), count(*) FILTER (WHERE ok IS NOT TRUE) FROM (%s) s',
                   coalesce(kth, 0) + 1e-6, approx)
      INTO got, good, failing;
    IF failing > 0 THEN
      RAISE EXCEPTION '% rows that fail % from %', failing, cond, approx;
    END IF;
    PERFORM set_config('enable_seqscan', 'on', true);
    full_count := full_count AND got = want;
    hits := hits + good;
    total := total + want;
  END LOOP;
  recall := CASE WHEN total = 0 THEN 1 ELSE hits::float8 / total END;
END $$;

-- knn_recall(tbl, expr, op, queries, k): index_answers' recall without a
-- condition; raises if a scan is not an index scan.
CREATE FUNCTION knn_recall(tbl text, expr text, op text, queries text, k int DEFAULT 10)
RETURNS float8 LANGUAGE sql AS $$
  SELECT recall FROM index_answers(tbl, expr, op, queries, k, 'true', 'Index Scan')
$$;
