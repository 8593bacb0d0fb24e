
-- The integer family's cross-type members: every operator of every pair
-- of distinct widths.
DO $$
DECLARE
  l text;
  r text;
  n int;
  ops text[] := ARRAY['<', '<=', '=', '>=', '>'];
BEGIN
  FOREACH l IN ARRAY ARRAY['int2', 'int4', 'int8'] LOOP
    FOREACH r IN ARRAY ARRAY['int2', 'int4', 'int8'] LOOP
      CONTINUE WHEN l = r;
      FOR n IN 1 .. 5 LOOP
        EXECUTE format('ALTER OPERATOR FAMILY integer_ops USING hnsw ADD OPERATOR %s %s (%s, %s)', n, ops[n], l, r);
      END LOOP;
    END LOOP;
  END LOOP;
END $$;
