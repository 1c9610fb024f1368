#!/usr/bin/env bash
# `make loadtest-cluster`: the parent's grades page through nginx in front of granian app servers sharing Redis, with
# PostgreSQL's primary for writes and a streaming hot standby for portal reads (docs/scale-out.md).
#
# 1. check the primary allows a streaming replica (deploy/primary-replication.sh: may add one loopback trust line to
#    its pg_hba.conf and reload it; never restarts it), and make a hot standby on 127.0.0.1:$STANDBY_PORT from a fresh
#    `pg_basebackup -R`, data directory var/cluster/pg (deploy/standby.sh);
# 2. recreate the database $DB on the primary, migrate, seed the 1,000-student demo school; wait for the standby;
# 3. start $APP_COUNT granian app servers (1 worker each) on 127.0.0.1:$APP_BASE_PORT+1..., with
#    DATABASE_REPLICA_URL, REDIS_URL, TRUSTED_PROXY_COUNT=1 and one SECRET_KEY; nginx (deploy/nginx.conf.template,
#    prefix var/cluster/nginx) on 127.0.0.1:$NGINX_PORT;
# 4. sign in $PARENTS parents through nginx and the login form; drive wrk (c=$CONNECTIONS, $DURATION s) through
#    nginx with 1 app server, then with all of them, $ROUNDS times; then a run of $RESTART_DURATION s during which app server 1 is
#    stopped (SIGTERM) and started again;
# 5. print `NAME VALUE UNIT` lines; fail if any response was not the real page.
# Loopback only; bounded: every wait has a limit and the whole run stops after $MAX_SECONDS. On every exit path the
# app servers, nginx and the standby are stopped (trap).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
PG_BASE=${CLUSTER_PG:-postgres://postgres@127.0.0.1:5432}
DB=${CLUSTER_DB:-inzage_cluster_lt}
STANDBY_PORT=${STANDBY_PORT:-5442}
NGINX_PORT=${NGINX_PORT:-8780}
APP_BASE_PORT=${APP_BASE_PORT:-8780}
APP_COUNT=${APP_COUNT:-2}
REDIS_URL=${CLUSTER_REDIS_URL:-redis://127.0.0.1:6379/5} # emptied at the start: give the run a database of its own
STUDENTS=${LOADTEST_STUDENTS:-1000}
PARENTS=${LOADTEST_PARENTS:-256}
CONNECTIONS=${LOADTEST_CONNECTIONS:-32}
DURATION=${LOADTEST_DURATION:-20}
RESTART_DURATION=${RESTART_DURATION:-30}
WARMUP=${LOADTEST_WARMUP:-20}
ROUNDS=${ROUNDS:-2}
TIMEOUT=${LOADTEST_TIMEOUT:-10}
MAX_SECONDS=${CLUSTER_MAX_SECONDS:-900}
SIGN_IN=${SIGN_IN:-loadtest/sign_in.py}
ROTATE=${ROTATE:-loadtest/rotate.lua}
OUT=var/cluster
NGINX_PREFIX=$(realpath -m "$OUT/nginx")
STANDBY_DIR=$OUT/pg

log() { echo "cluster: $*" >&2; }
metric() { echo "$1 $2 $3" | tee -a "$OUT/results.txt"; }

for tool in nginx wrk pg_isready redis-cli curl; do
  command -v "$tool" >/dev/null || { log "$tool is missing (make loadtest-cluster installs nginx and wrk)"; exit 1; }
done
pg_isready -h 127.0.0.1 -p 5432 -q || { log "PostgreSQL is not reachable on 127.0.0.1:5432"; exit 1; }
[ "$(redis-cli -u "$REDIS_URL" ping)" = PONG ] || { log "Redis is not reachable at $REDIS_URL"; exit 1; }
mkdir -p "$OUT" "$NGINX_PREFIX/tmp"
: >"$OUT/results.txt"

# ------------------------------------------------------------------------------------------------ stopping it all
declare -A APP_PID=()
NGINX_PID=
WATCHDOG_PID=
stop_app() { # stop_app <n>: SIGTERM to its process group (granian lets running requests finish), KILL after 10 s
  local pid=${APP_PID[$1]:-}
  [ -n "$pid" ] || return 0
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  APP_PID[$1]=
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for n in "${!APP_PID[@]}"; do stop_app "$n"; done
  if [ -n "$NGINX_PID" ]; then kill -QUIT "$NGINX_PID" 2>/dev/null || true; wait "$NGINX_PID" 2>/dev/null || true; fi
  bash deploy/standby.sh stop "$STANDBY_DIR" || true
  [ -n "$WATCHDOG_PID" ] && kill "$WATCHDOG_PID" 2>/dev/null || true
  log "stopped the app servers, nginx and the standby"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# The whole run is bounded: after MAX_SECONDS the watchdog ends it (and the trap cleans up).
(sleep "$MAX_SECONDS" && echo "cluster: over $MAX_SECONDS s, stopping" >&2 && kill -TERM $$) &
WATCHDOG_PID=$!

# ------------------------------------------------------------------------------------------- databases: primary + standby
bash deploy/primary-replication.sh "$PG_BASE"
bash deploy/standby.sh start "$STANDBY_DIR" "$STANDBY_PORT"
export DATABASE_URL="$PG_BASE/$DB"
log "recreating database $DB on the primary and seeding $STUDENTS students (streamed to the standby)"
dropdb --if-exists --force --maintenance-db="$PG_BASE/postgres" "$DB"
createdb --maintenance-db="$PG_BASE/postgres" "$DB"
$PY manage.py migrate --noinput -v0
$PY manage.py seed_demo --students "$STUDENTS" --seed 1 >&2
$PY manage.py collectstatic --noinput -v0
bash deploy/standby.sh caught-up "$STANDBY_PORT" 120
log "the standby has replayed the seed"
# The Redis database is the run's own (CLUSTER_REDIS_URL, default db 5): empty it, so that nothing of an earlier run
# is read in this one (cached pages keyed on versions the new seed reuses, scraping counters and 15-minute blocks).
redis-cli -u "$REDIS_URL" flushdb >/dev/null

# --------------------------------------------------------------------------------------------------- app servers
export DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:$STANDBY_PORT/$DB"
export REDIS_URL TRUSTED_PROXY_COUNT=1
# As in loadtest/run.sh: the scraping detector stays on (its cost is part of every request), with its limits raised so
# that 256 sessions reading at machine speed get through; without this every app server answers 429 after a few pages.
export SCRAPING_LIMIT_FACTOR="${SCRAPING_LIMIT_FACTOR:-1000}"
SECRET_KEY=$($PY -c "import secrets; print(secrets.token_urlsafe(50))")
export SECRET_KEY
unset DEBUG
app_port() { echo $((APP_BASE_PORT + $1)); }
start_app() { # start_app <n>: granian with 1 worker on 127.0.0.1:APP_BASE_PORT+n, in its own process group
  local port
  port=$(app_port "$1")
  setsid .venv/bin/granian --interface wsgi --host 127.0.0.1 --port "$port" --workers 1 --blocking-threads 4 \
    inzage.wsgi:application >>"$OUT/app$1.log" 2>&1 &
  APP_PID[$1]=$!
  for _ in $(seq 120); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/accounts/login/" 2>/dev/null && return 0
    kill -0 "${APP_PID[$1]}" 2>/dev/null || { log "app server $1 exited; see $OUT/app$1.log"; exit 1; }
    sleep 0.25
  done
  log "app server $1 did not answer within 30 s"; exit 1
}
for n in $(seq "$APP_COUNT"); do : >"$OUT/app$n.log"; start_app "$n"; done
log "$APP_COUNT app servers on 127.0.0.1:$(app_port 1)..$(app_port "$APP_COUNT")"

# ------------------------------------------------------------------------------------------------------------ nginx
nginx_conf() { # nginx_conf <number of app servers>: write the config with that many upstreams
  local upstreams=""
  for n in $(seq "$1"); do
    upstreams+="        server 127.0.0.1:$(app_port "$n") max_fails=1 fail_timeout=2s;"$'\n'
  done
  sed -e "s|@PREFIX@|$NGINX_PREFIX|g" -e "s|@PORT@|$NGINX_PORT|" -e "s|@STATIC@|$(realpath staticfiles)|" \
    deploy/nginx.conf.template | awk -v ups="$upstreams" '/@UPSTREAMS@/ {printf "%s", ups; next} {print}' \
    >"$NGINX_PREFIX/nginx.conf"
  nginx -t -q -e "$NGINX_PREFIX/error.log" -p "$NGINX_PREFIX" -c "$NGINX_PREFIX/nginx.conf"
}
use_apps() { # use_apps <n>: nginx sends to the first n app servers
  nginx_conf "$1"
  nginx -e "$NGINX_PREFIX/error.log" -p "$NGINX_PREFIX" -c "$NGINX_PREFIX/nginx.conf" -s reload
  sleep 2 # the old worker finishes its requests; the new one has the new upstream list
}
nginx_conf "$APP_COUNT"
: >"$NGINX_PREFIX/access.log"
: >"$NGINX_PREFIX/error.log"
setsid nginx -e "$NGINX_PREFIX/error.log" -p "$NGINX_PREFIX" -c "$NGINX_PREFIX/nginx.conf" -g "daemon off;" &
NGINX_PID=$!
for _ in $(seq 40); do
  curl -fsS -o /dev/null "http://127.0.0.1:$NGINX_PORT/accounts/login/" 2>/dev/null && break
  sleep 0.25
done
curl -fsS -o /dev/null "http://127.0.0.1:$NGINX_PORT/accounts/login/" || { log "nginx does not answer"; exit 1; }
log "nginx on 127.0.0.1:$NGINX_PORT"

# ------------------------------------------------------------------------------------------------------------ load
export LOADTEST_SESSIONS="$OUT/sessions.txt"
$PY "$SIGN_IN" --base "http://127.0.0.1:$NGINX_PORT" --count "$PARENTS" --out "$LOADTEST_SESSIONS"

errors=0
drive() { # drive <prefix> <connections> <seconds>
  local out
  out=$(LOADTEST_PREFIX="$1" wrk -t2 -c"$2" -d"$3"s --timeout "$TIMEOUT"s -s "$ROTATE" "http://127.0.0.1:$NGINX_PORT" \
    | grep -E "^$1\.")
  echo "$out" >>"$OUT/results.txt"
  grep -vE '\.(requests|errors_[a-z_]+) ' <<<"$out"
  errors=$((errors + $(awk '/\.errors /{print $2}' <<<"$out")))
}
xacts() { # xacts <port>: committed transactions in $DB on that server so far
  psql -h 127.0.0.1 -p "$1" -U postgres -d postgres -XAtqc \
    "select xact_commit from pg_stat_database where datname = '$DB'"
}

app_cpu_ticks() { # app_cpu_ticks: CPU time (clock ticks) used so far by every process of the running app servers
  local total=0 pid
  for sid in "${APP_PID[@]}"; do
    [ -n "$sid" ] || continue
    for pid in $(ps -o pid= -s "$sid"); do
      total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
  done
  echo "$total"
}
pids_cpu_ticks() { # pids_cpu_ticks <pid>...: CPU time (clock ticks) those processes used so far
  local total=0 pid
  for pid in "$@"; do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
standby_cpu_ticks() { # the standby's postmaster and all its children (its backends serve the portal's reads)
  local pm
  pm=$(head -1 "$STANDBY_DIR/postmaster.pid")
  pids_cpu_ticks "$pm" $(ps -o pid= --ppid "$pm")
}
nginx_cpu_ticks() { pids_cpu_ticks "$NGINX_PID" $(ps -o pid= --ppid "$NGINX_PID"); }
machine_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $5 + $6}' /proc/stat; } # total, idle
TICKS=$(getconf CLK_TCK)
requests_of() { awk -v n="$1.requests" '$1 == n {s += $2} END {print s + 0}' "$OUT/results.txt"; }
rps_sum() { awk -v p="^cluster[.]apps$1[.]r[0-9]+[.]c$CONNECTIONS[.]rps$" '$1 ~ p {s += $2} END {print s + 0}' "$OUT/results.txt"; }

# Warm-up: every signed-in parent's page is built once (the cache is shared, so once for all app servers), so that
# round 1 measures the warm page as the later rounds do (with 5 s, round 1 on one app server was half cold).
LOADTEST_PREFIX=cluster.warmup wrk -t2 -c8 -d"$WARMUP"s --timeout "$TIMEOUT"s -s "$ROTATE" "http://127.0.0.1:$NGINX_PORT" >/dev/null
# Rounds alternate 1 and all app servers, so that the other load on a shared machine hits both alike.
for round in $(seq "$ROUNDS"); do
  for apps in 1 "$APP_COUNT"; do
    use_apps "$apps"
    name="cluster.apps$apps.r$round.c$CONNECTIONS"
    log "round $round: c=$CONNECTIONS for $DURATION s through nginx, $apps app server(s)"
    primary_before=$(xacts 5432) standby_before=$(xacts "$STANDBY_PORT")
    app_before=$(app_cpu_ticks) pg_before=$(standby_cpu_ticks) nginx_before=$(nginx_cpu_ticks)
    read -r machine_before idle_before < <(machine_ticks)
    drive "$name" "$CONNECTIONS" "$DURATION"
    n=$(requests_of "$name")
    per_request() { awk -v t="$1" -v hz="$TICKS" -v n="$n" 'BEGIN {printf "%.1f", n ? 1000 * t / hz / n : 0}'; }
    metric "$name.app_cpu_ms" "$(per_request $(($(app_cpu_ticks) - app_before)))" "ms/request"
    metric "$name.standby_cpu_ms" "$(per_request $(($(standby_cpu_ticks) - pg_before)))" "ms/request"
    metric "$name.nginx_cpu_ms" "$(per_request $(($(nginx_cpu_ticks) - nginx_before)))" "ms/request"
    read -r machine_after idle_after < <(machine_ticks)
    # How much of the machine (all engineers' work) was idle meanwhile: near 0, more app servers cannot get more CPU.
    metric "$name.machine_idle" "$(awk -v t=$((machine_after - machine_before)) -v i=$((idle_after - idle_before)) \
      'BEGIN {printf "%.0f", 100 * i / t}')" "%"
    metric "$name.primary_xacts" $(($(xacts 5432) - primary_before)) transactions
    metric "$name.standby_xacts" $(($(xacts "$STANDBY_PORT") - standby_before)) transactions
  done
done
metric cluster.speedup "$(awk -v a="$(rps_sum 1)" -v b="$(rps_sum "$APP_COUNT")" 'BEGIN {printf "%.2f", b / a}')" "x"

# ------------------------------------------------------------------------------- one app server restarts under load
log "c=$CONNECTIONS for $RESTART_DURATION s; app server 1 is stopped and started again during it"
sleep 1.5 # nginx flushes its access log every second: what is in it now is from the runs before
log_from=$(stat -c %s "$NGINX_PREFIX/access.log")
drive "cluster.restart.c$CONNECTIONS" "$CONNECTIONS" "$RESTART_DURATION" >"$OUT/restart.txt" &
drive_pid=$!
sleep $((RESTART_DURATION / 4))
stopped_at=$(date +%s.%N)
stop_app 1
log "app server 1 stopped; starting it again"
start_app 1
back_at=$(date +%s.%N)
log "app server 1 answers again after $(awk -v a="$stopped_at" -v b="$back_at" 'BEGIN {printf "%.1f", b - a}') s"
wait "$drive_pid" || true
cat "$OUT/restart.txt"
errors=$((errors + $(awk '/\.errors /{print $2}' "$OUT/restart.txt")))
sleep 1.5 # nginx flushes its access log every second
tail -c +"$((log_from + 1))" "$NGINX_PREFIX/access.log" >"$OUT/restart_access.log"
metric cluster.restart.app_down_s "$(awk -v a="$stopped_at" -v b="$back_at" 'BEGIN {printf "%.1f", b - a}')" s
metric cluster.restart.retried "$(grep -c 'up=[^ ]*,' "$OUT/restart_access.log" || true)" requests
# 499: wrk closed the connection at the end of its run (the request was in flight); any other status is a failure.
metric cluster.restart.failed "$(awk '$2 != 200 && $2 != 499' "$OUT/restart_access.log" | wc -l)" requests
metric cluster.restart.cut_off_at_end "$(awk '$2 == 499' "$OUT/restart_access.log" | wc -l)" requests
metric cluster.restart.app1_after_restart "$(awk -v t="$back_at" -v a="127.0.0.1:$(app_port 1)" \
  '$1 > t + 3 && index($5, a)' "$OUT/restart_access.log" | wc -l)" requests

if [ "$errors" -ne 0 ]; then
  log "FAILED: $errors responses were not the real page (see $OUT/*.log, $NGINX_PREFIX/error.log)"
  exit 1
fi
log "every response was the real page"
