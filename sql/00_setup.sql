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
