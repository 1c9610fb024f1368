#!/usr/bin/env bash
# A PostgreSQL hot standby of the primary, in a data directory of our own, on its own loopback port.
#
#   deploy/standby.sh start <data dir> <port>   # (re)create from a fresh pg_basebackup -R, then start
#   deploy/standby.sh caught-up <port> [secs]   # wait until the standby has replayed the primary's current WAL
#   deploy/standby.sh stop <data dir>           # stop it (fast shutdown); the data directory stays for inspection
#
# The primary is PRIMARY_HOST:PRIMARY_PORT (127.0.0.1:5432) as user postgres; deploy/primary-replication.sh checks it
# allows this. No system service is touched: the standby is started with pg_ctl on its own data directory and port,
# as the postgres user when run as root (PostgreSQL refuses to run as root). No replication slot is made, so a
# standby that is gone never holds WAL back on the primary.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PRIMARY_HOST=${PRIMARY_HOST:-127.0.0.1}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
PG_BIN=${PG_BIN:-$(pg_config --bindir 2>/dev/null || ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
say() { echo "standby: $*" >&2; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
primary() { psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -d postgres -XAtqc "$1"; }

start() {
  local dir=$1 port=$2
  dir=$(realpath -m "$dir")
  [ -f "$dir/postmaster.pid" ] && stop "$dir"
  rm -rf "$dir"
  mkdir -p "$dir" "$dir.run"
  chmod 700 "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir" "$dir.run"
  say "pg_basebackup -R from $PRIMARY_HOST:$PRIMARY_PORT into $dir"
  # -c fast: an immediate checkpoint on the primary instead of waiting for the next one; -X stream: the WAL written
  # during the copy comes along, so the standby starts consistent.
  as_pg "$PG_BIN/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -D "$dir" -R -X stream -c fast
  sed -e "s|@PORT@|$port|" -e "s|@SOCKET_DIR@|$dir.run|" \
    -e "s|@MAX_CONNECTIONS@|$(primary 'show max_connections')|" \
    -e "s|@MAX_WORKER_PROCESSES@|$(primary 'show max_worker_processes')|" \
    -e "s|@MAX_LOCKS@|$(primary 'show max_locks_per_transaction')|" \
    -e "s|@MAX_PREPARED@|$(primary 'show max_prepared_transactions')|" \
    -e "s|@MAX_WAL_SENDERS@|$(primary 'show max_wal_senders')|" \
    "$HERE/standby/postgresql.conf.template" | as_pg tee "$dir/postgresql.conf" >/dev/null
  as_pg cp "$HERE/standby/pg_hba.conf" "$dir/pg_hba.conf"
  as_pg touch "$dir/pg_ident.conf"
  [ -f "$dir/standby.signal" ] || { say "pg_basebackup -R wrote no standby.signal"; exit 1; }
  say "starting the hot standby on 127.0.0.1:$port"
  as_pg "$PG_BIN/pg_ctl" -D "$dir" -l "$dir.run/postgresql.log" -w -t 60 start >/dev/null
  [ "$(psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -XAtqc 'select pg_is_in_recovery()')" = t ] \
    || { say "the server on port $port is not in recovery: not a standby"; exit 1; }
}

caught_up() {
  local port=$1 secs=${2:-60} target replayed
  target=$(primary "select pg_current_wal_lsn()")
  for _ in $(seq $((secs * 5))); do
    replayed=$(psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -XAtqc \
      "select pg_last_wal_replay_lsn() >= '$target'::pg_lsn")
    [ "$replayed" = t ] && return 0
    sleep 0.2
  done
  say "the standby did not replay up to $target within $secs s"; exit 1
}

stop() {
  local dir
  dir=$(realpath -m "$1")
  [ -f "$dir/postmaster.pid" ] || return 0
  say "stopping the standby in $dir"
  as_pg "$PG_BIN/pg_ctl" -D "$dir" -m fast -w -t 30 stop >/dev/null || true
}

case "${1:-}" in
  start) start "$2" "$3" ;;
  caught-up) caught_up "$2" "${3:-60}" ;;
  stop) stop "$2" ;;
  *) echo "usage: $0 start <dir> <port> | caught-up <port> [secs] | stop <dir>" >&2; exit 2 ;;
esac
