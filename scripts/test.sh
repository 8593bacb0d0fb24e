#!/usr/bin/env bash
# scripts/test.sh: runs every vecsim test suite on this machine.
#
#   scripts/test.sh            everything: unit, fuzz, regress, surface, client, TAP
#   scripts/test.sh regress    only the named suites (unit fuzz regress surface client tap)
#
# On a fresh Debian 12 machine run it as root: it installs what it needs with
# apt, builds and installs vecsim, then runs the server-side suites as an
# unprivileged user ($VECSIM_PG_USER, default postgres) against throwaway
# clusters in a scratch directory on 127.0.0.1. Clusters are stopped and the
# scratch directory removed even on failure (VECSIM_KEEP_SCRATCH=1 keeps it).
# As root it also installs vecsim under pgvector's name (make
# install-as-vector) for the suites that test that name, and removes it
# again on exit.
# Exits non-zero if any suite failed; the last line counts suites.
source "$(dirname "$0")/lib.sh"

SUITES=("$@")
[ ${#SUITES[@]} -eq 0 ] && SUITES=(unit fuzz regress surface client tap)
FUZZ_SECONDS=${VECSIM_FUZZ_SECONDS:-15}
passed=0
failed=0
failed_names=()

run_suite() {
  local name=$1
  shift
  log "suite: $name"
  if "$@"; then
    passed=$((passed + 1))
    echo "suite $name: ok"
  else
    failed=$((failed + 1))
    failed_names+=("$name")
    echo "suite $name: FAILED"
  fi
}

suite_unit() {
  make -C "$VECSIM_ROOT" -s -j"$(nproc)" unit
}

suite_fuzz() {
  make -C "$VECSIM_ROOT" -s -j"$(nproc)" fuzz || return 1
  local status=0 target corpus
  for target in "$VECSIM_ROOT"/build/fuzz/*; do
    corpus="$SCRATCH/corpus-$(basename "$target")"
    mkdir -p "$corpus"
    cp "$VECSIM_ROOT/test/fuzz/corpus/$(basename "$target")"/* "$corpus/" 2>/dev/null || true
    echo "fuzzing $(basename "$target") for ${FUZZ_SECONDS}s"
    if ! "$target" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 "$corpus" \
         >"$SCRATCH/fuzz-$(basename "$target").log" 2>&1; then
      tail -n 40 "$SCRATCH/fuzz-$(basename "$target").log"
      status=1
    else
      grep -E 'stat::number_of_executed_units|Done' "$SCRATCH/fuzz-$(basename "$target").log" | tail -n 2
    fi
  done
  return $status
}

# The server-side suites run as the cluster owner, who may not be able to
# read the checkout (CI clones under root's home): they read copies.
stage_inputs() {
  INPUTS="$SCRATCH/inputs"
  mkdir -p "$INPUTS/test"
  cp -r "$VECSIM_ROOT/sql" "$VECSIM_ROOT/expected" "$INPUTS/"
  cp -r "$VECSIM_ROOT/test/t" "$INPUTS/test/"
  cp -r "$VECSIM_ROOT/test/surface" "$INPUTS/"
  if [ "$(id -u)" -eq 0 ]; then chown -R "$VECSIM_PG_USER" "$INPUTS"; fi
}

suite_regress() {
  local tests pg_regress outdir="$SCRATCH/regress"
  tests=$(cd "$INPUTS/sql" && ls ./*.sql | sed 's#^\./##; s/\.sql$//' | sort)
  pg_regress="$(pg_config --pkglibdir)/pgxs/src/test/regress/pg_regress"
  as_pg_user mkdir -p "$outdir"
  if ! as_pg_user "$pg_regress" --inputdir="$INPUTS" --outputdir="$outdir" \
       --bindir="$PG_BINDIR" --host="$PGHOST" --port="$PGPORT" --user="$PGUSER" \
       --dbname=contrib_regression $tests; then
    [ -f "$outdir/regression.diffs" ] && head -n 200 "$outdir/regression.diffs"
    return 1
  fi
}

# surface_of DB "SQL that creates the extension" NAME [check options]
surface_of() {
  local db=$1 create=$2 name=$3
  shift 3
  echo "surface of: $create"
  as_pg_user psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $db" \
    -c "CREATE DATABASE $db" || return 1
  as_pg_user psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "$create" || return 1
  as_pg_user psql -X -At -v ON_ERROR_STOP=1 -d "$db" -v ext="$name" \
    -f "$INPUTS/surface/catalogue.sql" >"$SCRATCH/$db.txt" || return 1
  python3 "$VECSIM_ROOT/test/surface/check_surface.py" "$@" "$VECSIM_ROOT/test/surface/expected.txt" \
    "$SCRATCH/$db.txt"
}

# The surface is the same whichever name the extension is created under;
# under pgvector's name, version 0.8.0 is pgvector's surface alone, and
# updating it gives the whole surface (docs/reference.md 2).
suite_surface() {
  surface_of surface_vecsim "CREATE EXTENSION vecsim" vecsim || return 1
  [ "$AS_VECTOR" = 1 ] || return 0
  surface_of surface_vector "CREATE EXTENSION vector" vector || return 1
  surface_of surface_pgvector "CREATE EXTENSION vector VERSION '0.8.0'" vector --pgvector-only || return 1
  echo "C symbols of: CREATE EXTENSION vector VERSION '0.8.0'"
  as_pg_user psql -X -At -v ON_ERROR_STOP=1 -d surface_pgvector -f "$INPUTS/surface/pgvector_symbols.sql" \
    >"$SCRATCH/pgvector_symbols.txt" || return 1
  diff <(grep -v '^#' "$VECSIM_ROOT/test/surface/pgvector_symbols.txt") "$SCRATCH/pgvector_symbols.txt" || return 1
  surface_of surface_updated "CREATE EXTENSION vector VERSION '0.8.0'; ALTER EXTENSION vector UPDATE" vector
}

# The client suite runs against the extension created as vecsim, and again
# as vector when vecsim is installed under that name too (as_vector).
suite_client() {
  local name names=(vecsim)
  [ "$AS_VECTOR" = 1 ] && names+=(vector)
  for name in "${names[@]}"; do
    echo "client suite with CREATE EXTENSION $name"
    as_pg_user psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS client_$name" \
      -c "CREATE DATABASE client_$name" || return 1
    as_pg_user psql -X -q -v ON_ERROR_STOP=1 -d "client_$name" -c "CREATE EXTENSION $name" || return 1
    VECSIM_CLIENT_DB="client_$name" /usr/bin/python3 "$VECSIM_ROOT/test/client/test_psycopg.py" || return 1
    VECSIM_CLIENT_DB="client_$name" /usr/bin/python3 "$VECSIM_ROOT/test/client/test_sqlalchemy.py" || return 1
  done
}

# vecsim under pgvector's extension name, for the client and TAP suites,
# removed again on exit. Only as root, and never over pgvector's own
# vector.control (install-as-vector refuses; the TAP test then skips).
# An install of vecsim as vector that was there before the run is used (as
# root, brought up to date with this build first) and
# left in place.
AS_VECTOR=0
INSTALLED_AS_VECTOR=0
install_as_vector() {
  local control
  control="$(pg_config --sharedir)/extension/vector.control"
  if [ -f "$control" ] && grep -qx '# installed by vecsim (make install-as-vector)' "$control"; then
    AS_VECTOR=1
    # brought up to date with this build when we can (it is idempotent)
    [ "$(id -u)" -eq 0 ] && { make -C "$VECSIM_ROOT" -s install-as-vector || return 1; }
  elif [ "$(id -u)" -eq 0 ] && make -C "$VECSIM_ROOT" -s install-as-vector; then
    AS_VECTOR=1
    INSTALLED_AS_VECTOR=1
  else
    echo "vecsim is not installed as vector: the tests under that name skip"
  fi
}
uninstall_as_vector() {
  if [ "$INSTALLED_AS_VECTOR" = 1 ]; then
    make -C "$VECSIM_ROOT" -s uninstall-as-vector || true
    INSTALLED_AS_VECTOR=0
  fi
}

suite_tap() {
  local perl_lib
  perl_lib="$(pg_config --pkglibdir)/pgxs/src/test/perl"
  as_pg_user mkdir -p "$SCRATCH/tap"
  (cd "$SCRATCH/tap" && as_pg_user env PERL5LIB="$perl_lib" \
     PG_REGRESS="$(pg_config --pkglibdir)/pgxs/src/test/regress/pg_regress" \
     TESTDIR="$SCRATCH/tap" PGHOST= PGPORT= PGUSER= PGDATABASE= \
     prove -v "$INPUTS"/test/t/*.pl)
}

ensure_packages
build_and_install
trap 'uninstall_as_vector; cleanup' EXIT
install_as_vector
make_scratch
stage_inputs

for suite in "${SUITES[@]}"; do
  case "$suite" in
    regress|surface|client)
      [ "${CLUSTER_STARTED:-0}" = 1 ] || start_cluster
      run_suite "$suite" "suite_$suite" ;;
    unit|fuzz|tap)
      run_suite "$suite" "suite_$suite" ;;
    *) echo "unknown suite: $suite" >&2; exit 2 ;;
  esac
done
stop_cluster

log "summary"
[ $failed -gt 0 ] && echo "failed suites: ${failed_names[*]}"
echo "suites: $passed passed, $failed failed"
[ $failed -eq 0 ]
