#!/usr/bin/env bash
# scripts/demo.sh: shows vecsim working, from a fresh machine.
#
# Installs what it needs (as root, with apt), builds and installs vecsim,
# starts a throwaway cluster on 127.0.0.1, creates the extension, loads
# 100,000 clustered 128-dimensional vectors with COPY ... FROM STDIN WITH
# (FORMAT BINARY), runs exact nearest-neighbour queries with each distance
# operator, builds an hnsw index and runs the same queries through it,
# printing results, recall against the exact answers, and timings. The
# cluster and its scratch directory are removed at the end.
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

log "building an hnsw index (m 16, ef_construction 64)"
psql_demo -c "\timing on" -c "CREATE INDEX items_hnsw ON items USING hnsw (embedding vector_l2_ops)" |
  grep -E 'CREATE|Time'
psql_demo -c "SELECT pg_size_pretty(pg_relation_size('items_hnsw')) AS index_size,
                     elements, violations, unreachable FROM vecsim_hnsw_verify('items_hnsw')"

log "nearest neighbours of query 1 by <-> through the index"
psql_demo -c "EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY embedding <-> (SELECT embedding FROM queries WHERE qid = 1) LIMIT 5"
psql_demo -c "SELECT i.id, round((i.embedding <-> q.embedding)::numeric, 4) AS distance
                FROM items i, (SELECT embedding FROM queries WHERE qid = 1) q
               ORDER BY i.embedding <-> q.embedding LIMIT 5"

log "recall@10 and timing of the 20 queries through the index, by hnsw.ef_search"
psql_demo -q -c "
CREATE FUNCTION knn_ids(q vector) RETURNS bigint[] LANGUAGE sql STABLE
  RETURN ARRAY(SELECT id FROM items ORDER BY embedding <-> q LIMIT 10);
-- the same query without the index (a setting of the function: the timed
-- one above keeps its cached plan)
CREATE FUNCTION exact_knn_ids(q vector) RETURNS bigint[] LANGUAGE sql STABLE
  SET enable_indexscan = off
  RETURN ARRAY(SELECT id FROM items ORDER BY embedding <-> q LIMIT 10);"
for ef in 10 40 100 200; do
  # (one untimed pass first: a new session's first queries also pay for
  # loading the library and for mapping the buffers they touch)
  psql_demo -c "SET hnsw.ef_search = $ef" -c "SELECT count(knn_ids(embedding)) AS warm_up FROM queries" -c "
    WITH exact AS (SELECT qid, exact_knn_ids(embedding) AS ids FROM queries),
         timed AS (SELECT qid, clock_timestamp() AS t0, knn_ids(embedding) AS ids, clock_timestamp() AS t1
                     FROM queries)
    SELECT $ef AS ef_search,
           round(avg((SELECT count(*) FROM unnest(t.ids) i WHERE i = ANY (e.ids)) / 10.0), 3) AS recall_at_10,
           round(avg(extract(epoch FROM t.t1 - t.t0) * 1000)::numeric, 3) AS mean_ms
      FROM timed t JOIN exact e USING (qid)"
done

log "done (the cluster is removed on exit)"
