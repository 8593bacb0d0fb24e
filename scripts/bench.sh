#!/usr/bin/env bash
# scripts/bench.sh: the hnsw ANN benchmark (bench/ann_bench.py) from a fresh
# machine: installs what it needs (apt, as root), builds and installs
# vecsim, starts a throwaway cluster, and runs the benchmark against
# hnswlib in the same run. The plot is written to build/ann_bench.png.
#
#   scripts/bench.sh [ann_bench.py options, e.g. --rows 20000 --datasets l2]
source "$(dirname "$0")/lib.sh"

APT_PACKAGES+=(python3-numpy python3-hnswlib python3-matplotlib)
ensure_packages
build_and_install
make -C "$VECSIM_ROOT" -s build/bench/gen_clustered
make_scratch
trap cleanup EXIT
start_cluster
as_pg_user psql -X -q -d postgres -c "CREATE EXTENSION vecsim"
mkdir -p "$VECSIM_ROOT/build"
chmod 777 "$VECSIM_ROOT/build"
as_pg_user python3 "$VECSIM_ROOT/bench/ann_bench.py" --dsn "host=$PGHOST port=$PGPORT dbname=postgres" \
  --gen "$VECSIM_ROOT/build/bench/gen_clustered" --out "$VECSIM_ROOT/build" "$@"
