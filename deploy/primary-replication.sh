#!/usr/bin/env bash
# Check, and where it can be done without a restart, enable streaming replication on the primary PostgreSQL.
#
#   deploy/primary-replication.sh [postgres://postgres@127.0.0.1:5432]
#
# Idempotent: run it as often as you like. It needs a superuser connection to the primary.
# - wal_level must be replica (or logical) and max_wal_senders > 0: Debian's defaults. Changing either needs a
#   restart of the primary, which this script never does: it stops with the line to add instead.
# - pg_hba.conf must let a replication connection from 127.0.0.1 in ("all" in the database column does not match
#   replication connections). If no such rule exists, the script appends one (trust, loopback only, marked with a
#   comment) to the primary's hba_file and reloads the primary: a reload, not a restart; nothing else changes.
set -euo pipefail
PRIMARY=${1:-${PRIMARY_URL:-postgres://postgres@127.0.0.1:5432}}
q() { psql "$PRIMARY/postgres" -XAtqc "$1"; }
say() { echo "primary-replication: $*" >&2; }

wal_level=$(q "show wal_level")
senders=$(q "show max_wal_senders")
if [ "$wal_level" = minimal ] || [ "$senders" -eq 0 ]; then
  say "the primary has wal_level=$wal_level and max_wal_senders=$senders; a streaming replica needs"
  say "wal_level = replica and max_wal_senders = 10 in postgresql.conf, and a restart of the primary (not done here)."
  exit 1
fi

has_rule=$(q "select count(*) from pg_hba_file_rules
              where type = 'host' and auth_method = 'trust' and 'replication' = any(database)
                and address = '127.0.0.1' and netmask = '255.255.255.255' and error is null")
if [ "$has_rule" -eq 0 ]; then
  hba=$(q "show hba_file")
  if ! grep -q "inzage deploy/primary-replication.sh" "$hba" 2>/dev/null; then
    if [ ! -w "$hba" ]; then
      say "no replication rule for 127.0.0.1 in $hba, and it is not writable here; add this line and reload:"
      say "  host replication all 127.0.0.1/32 trust"
      exit 1
    fi
    say "adding 'host replication all 127.0.0.1/32 trust' to $hba and reloading the primary"
    printf '\n# added by inzage deploy/primary-replication.sh: a streaming replica on loopback (docs/scale-out.md)\nhost replication all 127.0.0.1/32 trust\n' >>"$hba"
  fi
  q "select pg_reload_conf()" >/dev/null
  sleep 1
fi
say "ok: wal_level=$wal_level, max_wal_senders=$senders, replication from 127.0.0.1 allowed"
