# scripts/lib.sh: shared steps of scripts/test.sh and scripts/demo.sh.
# Sourced, not run. Every function is safe to call again.
#
# PostgreSQL refuses to run as root, so when these scripts run as root the
# throwaway clusters belong to an unprivileged user ($VECSIM_PG_USER,
# default postgres) and live in a scratch directory that user owns. Clusters
# listen on 127.0.0.1 only, on a free port, and are stopped on exit.

set -euo pipefail

VECSIM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VECSIM_PG_USER=${VECSIM_PG_USER:-postgres}
PG_BINDIR=$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)
APT_PACKAGES=(build-essential clang libclang-rt-dev python3 python3-psycopg python3-psycopg2 python3-sqlalchemy
              postgresql-15 postgresql-server-dev-15
              libgtest-dev libbenchmark-dev libipc-run-perl libhnswlib-dev)

log() { printf '\n=== %s\n' "$*"; }

# Installs the build and test dependencies with apt when some are missing.
ensure_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${missing[*]} (run as root, or install them)" >&2
    return 1
  fi
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  PG_BINDIR=$(pg_config --bindir)
}

# Builds and installs the extension into the server's directories.
build_and_install() {
  log "building vecsim"
  make -C "$VECSIM_ROOT" -j"$(nproc)" -s
  log "installing vecsim"
  if [ "$(id -u)" -eq 0 ]; then
    make -C "$VECSIM_ROOT" -s install
  else
    sudo make -C "$VECSIM_ROOT" -s install
  fi
}

# Runs a command as the cluster owner (as is when not root).
as_pg_user() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$VECSIM_PG_USER" -- env PATH="$PG_BINDIR:$PATH" "$@"
  else
    env PATH="$PG_BINDIR:$PATH" "$@"
  fi
}

# A scratch directory owned by the cluster owner, removed on exit.
make_scratch() {
  SCRATCH=$(mktemp -d /tmp/vecsim.XXXXXX)
  if [ "$(id -u)" -eq 0 ]; then chown "$VECSIM_PG_USER" "$SCRATCH"; fi
  chmod 755 "$SCRATCH"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts a throwaway cluster in $SCRATCH/data; exports PGHOST/PGPORT.
start_cluster() {
  PGPORT=$(free_port)
  PGHOST=127.0.0.1
  export PGHOST PGPORT PGUSER="$VECSIM_PG_USER" PGDATABASE=postgres
  log "starting a throwaway cluster on $PGHOST:$PGPORT in $SCRATCH/data"
  as_pg_user initdb -D "$SCRATCH/data" -A trust -U "$VECSIM_PG_USER" --no-sync >"$SCRATCH/initdb.log"
  cat >>"$SCRATCH/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$SCRATCH'
fsync = off
shared_buffers = 512MB
maintenance_work_mem = 1GB
max_parallel_maintenance_workers = 1
CONF
  as_pg_user pg_ctl -D "$SCRATCH/data" -l "$SCRATCH/server.log" -w start >/dev/null
  CLUSTER_STARTED=1
}

stop_cluster() {
  if [ "${CLUSTER_STARTED:-0}" = 1 ]; then
    as_pg_user pg_ctl -D "$SCRATCH/data" -m fast -w stop >/dev/null 2>&1 || true
    CLUSTER_STARTED=0
  fi
}

cleanup() {
  stop_cluster
  if [ -n "${SCRATCH:-}" ] && [ -z "${VECSIM_KEEP_SCRATCH:-}" ]; then rm -rf "$SCRATCH"; fi
}
