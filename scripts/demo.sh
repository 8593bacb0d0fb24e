#!/usr/bin/env bash
# scripts/demo.sh: shows vecsim working, from a fresh machine.
#
# Installs what it needs (as root, with apt), builds and installs vecsim,
# starts a throwaway cluster on 127.0.0.1, creates the extension, loads
# 100,000 clustered 128-dimensional vectors with COPY ... FROM STDIN WITH
# (FORMAT BINARY), and runs nearest-neighbour queries with each distance
# operator, printing results and timings. The cluster and its scratch
# directory are removed at the end.
#
#   scripts/demo.sh [ROWS] [DIMS]
source "$(dirname "$0")/lib.sh"

ROWS=${1:-100000}
DIMS=${2:-128}

ensure_packages
build_and_install
make -C "$VECSIM_ROOT" -s build/bench/gen_clustered
GEN="$VECSIM_ROOT/build/bench/gen_clustered"
make_scratch
trap cleanup EXIT
start_cluster
psql_demo() { as_pg_user psql -X -v ON_ERROR_STOP=1 -d postgres "$@"; }

log "CREATE EXTENSION vecsim"
psql_demo -q -c "CREATE EXTENSION vecsim" -c "SELECT vecsim_simd_info() AS kernels"

log "loading $ROWS clustered ${DIMS}-d vectors with COPY ... FROM STDIN WITH (FORMAT BINARY)"
psql_demo -q -c "CREATE TABLE items (id bigint PRIMARY KEY, embedding vector($DIMS))"
start=$(date +%s.%N)
"$GEN" --rows "$ROWS" --dims "$DIMS" --seed 1 |
  psql_demo -c "COPY items FROM STDIN WITH (FORMAT BINARY)"
awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "loaded in %.2f s\n", b - a }'
psql_demo -q -c "CREATE TABLE queries (qid serial, embedding vector($DIMS))"
"$GEN" --rows 20 --dims "$DIMS" --seed 2 --format text |
  psql_demo -c "COPY queries (embedding) FROM STDIN"
psql_demo -q -c "VACUUM ANALYZE items" -c "VACUUM ANALYZE queries"
psql_demo -c "SELECT count(*) AS rows, pg_size_pretty(pg_table_size('items')) AS table_size,
                     (SELECT vector_dims(embedding) FROM items LIMIT 1) AS dims FROM items"

for op in '<->' '<#>' '<=>' '<+>'; do
  log "nearest neighbours of query 1 by $op (exact: sequential scan)"
  psql_demo -c "SELECT i.id, round((i.embedding $op q.embedding)::numeric, 4) AS distance
                  FROM items i, (SELECT embedding FROM queries WHERE qid = 1) q
                 ORDER BY i.embedding $op q.embedding LIMIT 5"
done

log "query plan of an exact ORDER BY embedding <-> q LIMIT 10"
psql_demo -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON)
              SELECT id FROM items ORDER BY embedding <-> (SELECT embedding FROM queries WHERE qid = 1) LIMIT 10"

log "timing: 20 queries per operator, ORDER BY embedding <op> q LIMIT 10, server-side"
psql_demo -q -c "
CREATE FUNCTION knn_timing(op text) RETURNS TABLE (operator text, queries int, median_ms numeric, min_ms numeric)
LANGUAGE plpgsql AS \$\$
DECLARE
  q vector; t0 timestamptz; times float8[] := '{}';
BEGIN
  FOR q IN SELECT embedding FROM queries ORDER BY qid LOOP
    t0 := clock_timestamp();
    EXECUTE format('SELECT id FROM items ORDER BY embedding %s \$1 LIMIT 10', op) USING q;
    times := times || extract(epoch FROM clock_timestamp() - t0) * 1000;
  END LOOP;
  RETURN QUERY SELECT op, cardinality(times),
    round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t)::numeric, 2), round(min(t)::numeric, 2)
    FROM unnest(times) t;
END \$\$"
psql_demo -c "SELECT t.* FROM unnest(ARRAY['<->','<#>','<=>','<+>']) op, knn_timing(op) t"

log "done (the cluster is removed on exit)"
