#!/usr/bin/env bash
# scripts/bench.sh: the ANN benchmarks from a fresh machine: installs what
# they need (apt, as root), builds and installs vecsim, starts a throwaway
# cluster, and runs the hnsw benchmark (bench/ann_bench.py, against hnswlib
# in the same run) or the ivfflat one (bench/ivf_bench.py, against FAISS's
# IndexIVFFlat), or insert latency beside VACUUM (bench/vacuum_bench.py),
# or filtered queries (bench/filter_bench.py: filter columns in hnsw against
# an iterative scan and a btree plus exact sort).
# The plot is written to build/ann_bench.png or build/ivf_bench.png.
#
#   scripts/bench.sh [hnsw|ivfflat|vacuum|filter] [options, e.g. --rows 20000 --datasets l2]
source "$(dirname "$0")/lib.sh"

APT_PACKAGES+=(python3-numpy python3-hnswlib python3-faiss python3-matplotlib)
BENCH=ann_bench.py
case "${1:-}" in
  hnsw) shift ;;
  ivfflat) BENCH=ivf_bench.py; shift ;;
  vacuum) BENCH=vacuum_bench.py; shift ;;
  filter) BENCH=filter_bench.py; shift ;;
esac
ensure_packages
build_and_install
make -C "$VECSIM_ROOT" -s build/bench/gen_clustered
make_scratch
trap cleanup EXIT
start_cluster
as_pg_user psql -X -q -d postgres -c "CREATE EXTENSION vecsim"
mkdir -p "$VECSIM_ROOT/build"
chmod 777 "$VECSIM_ROOT/build"
as_pg_user python3 "$VECSIM_ROOT/bench/$BENCH" --dsn "host=$PGHOST port=$PGPORT dbname=postgres" \
  --gen "$VECSIM_ROOT/build/bench/gen_clustered" --out "$VECSIM_ROOT/build" "$@"
