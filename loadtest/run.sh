#!/usr/bin/env bash
# `make loadtest`: the parent's grades page under load, served as `make run` serves it, on PostgreSQL.
#
# 1. recreate the database $LOADTEST_DB, migrate, seed the 1,000-student demo school;
# 2. start granian (WSGI, $WORKERS workers) on 127.0.0.1:$LOADTEST_PORT, as `make run` does;
# 3. sign in $LOADTEST_PARENTS parents through the real login form (loadtest/sign_in.py);
# 4. drive wrk with loadtest/rotate.lua at c=8 and c=32 for $LOADTEST_DURATION s each (after a short warm-up), or,
#    with SOAK=<seconds>, one soak at c=32 for that long;
# 5. print `NAME VALUE UNIT` lines, stop granian, and fail if any response was not the real page.
# AT_1700=1 (`make loadtest-1700`): after signing in, restart granian on a clock that reaches a 17:00 publication
# moment of one signed-in parent's grade 20 s into a c=32 run (after a warm-up of the restarted workers), and probe
# that parent's page across the instant (loadtest/clock_wsgi.py, loadtest/at_1700.py). Sessions survive the restart: they are in the database (cached_db).
# Loopback only, bounded in time; granian is stopped on every exit path.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
PG_BASE=${LOADTEST_PG:-postgres://postgres@127.0.0.1:5432}
DB=${LOADTEST_DB:-inzage_loadtest}
PORT=${LOADTEST_PORT:-8766}
WORKERS=${WORKERS:-2}
STUDENTS=${LOADTEST_STUDENTS:-1000}
PARENTS=${LOADTEST_PARENTS:-256}
DURATION=${LOADTEST_DURATION:-20}
# Long enough for every signed-in parent's page to be built once in each worker (256 × 2 misses at ~30 ms): the
# figures are of the warm page; the cold build is measured by `make bench` and the 17:00 run.
WARMUP=${LOADTEST_WARMUP:-30}
TIMEOUT=${LOADTEST_TIMEOUT:-10}
SOAK=${SOAK:-}
AT_1700=${AT_1700:-}
OUT=var/loadtest
mkdir -p "$OUT"

export DATABASE_URL="$PG_BASE/$DB"
export LOADTEST_SESSIONS="$OUT/sessions.txt"
# 256 sessions each reading a few pages a second is what the scraping detector exists to stop: it stays on (its cost
# is part of every request measured), with its limits raised so that it lets the load through.
export SCRAPING_LIMIT_FACTOR="${SCRAPING_LIMIT_FACTOR:-1000}"
unset DEBUG

log() { echo "loadtest: $*" >&2; }

pg_isready -h 127.0.0.1 -p 5432 -q || { log "PostgreSQL is not reachable on 127.0.0.1:5432"; exit 1; }
log "recreating database $DB and seeding $STUDENTS students"
dropdb --if-exists --force --maintenance-db="$PG_BASE/postgres" "$DB"
createdb --maintenance-db="$PG_BASE/postgres" "$DB"
$PY manage.py migrate --noinput -v0
$PY manage.py seed_demo --students "$STUDENTS" --seed 1 >&2
$PY manage.py collectstatic --noinput -v0

if [ -n "$AT_1700" ]; then
  $PY loadtest/at_1700.py pick --parents "$PARENTS" --out "$OUT/at_1700.txt"
fi

GRANIAN_PID=
stop_granian() {
  if [ -n "$GRANIAN_PID" ] && kill -0 "$GRANIAN_PID" 2>/dev/null; then
    log "stopping granian (pid $GRANIAN_PID)"
    kill -TERM -- "-$GRANIAN_PID" 2>/dev/null || kill -TERM "$GRANIAN_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$GRANIAN_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$GRANIAN_PID" 2>/dev/null || true
  fi
}
trap stop_granian EXIT INT TERM

start_granian() { # start_granian <wsgi app>
  log "starting granian ($1) on 127.0.0.1:$PORT with $WORKERS workers"
  # Own process group (setsid), so stopping it stops its workers too. Same flags as `make run`.
  setsid .venv/bin/granian --interface wsgi --host 127.0.0.1 --port "$PORT" --workers "$WORKERS" --blocking-threads 4 \
    --static-path-route /static --static-path-mount staticfiles "$1" >>"$OUT/granian.log" 2>&1 &
  GRANIAN_PID=$!
  for _ in $(seq 120); do
    curl -fsS -o /dev/null "http://127.0.0.1:$PORT/accounts/login/" 2>/dev/null && return 0
    kill -0 "$GRANIAN_PID" 2>/dev/null || { log "granian exited; see $OUT/granian.log"; exit 1; }
    sleep 0.5
  done
  log "granian did not answer within 60 s"; exit 1
}
: >"$OUT/granian.log"
start_granian inzage.wsgi:application

$PY loadtest/sign_in.py --base "http://127.0.0.1:$PORT" --count "$PARENTS" --out "$LOADTEST_SESSIONS"

errors=0
drive() { # drive <prefix> <connections> <seconds>
  local out
  out=$(LOADTEST_PREFIX="$1" wrk -t2 -c"$2" -d"$3"s --timeout "$TIMEOUT"s -s loadtest/rotate.lua "http://127.0.0.1:$PORT" \
    | grep -E "^$1\.") || true
  echo "$out" >>"$OUT/results.txt"
  grep -vE '\.requests ' <<<"$out"
  local n
  n=$(awk '/\.errors /{print $2}' <<<"$out")
  [ -n "$n" ] || { log "wrk printed no figures for $1"; n=1; }
  errors=$((errors + n))
}

: >"$OUT/results.txt"
LOADTEST_PREFIX=loadtest.warmup wrk -t2 -c8 -d"$WARMUP"s --timeout "$TIMEOUT"s -s loadtest/rotate.lua \
  "http://127.0.0.1:$PORT" >/dev/null
if [ -n "$AT_1700" ]; then
  stop_granian
  instant=$(cut -f1 "$OUT/at_1700.txt")
  # The app's clock: 5 s from now (time to start) it stands WARMUP + 20 s before the instant. The restarted workers'
  # caches are empty, so a warm-up at c=8 builds the pages again first (as on a server that has been up all day); the
  # c=32 run then has 17:00 about 20 s in, and what it measures is the instant itself: every page whose next
  # transition is 17:00 expires and is built again.
  lead=$((WARMUP + 20))
  export LOADTEST_CLOCK
  LOADTEST_CLOCK="$($PY -c "import datetime as d,sys; print((d.datetime.fromisoformat(sys.argv[1]) - d.timedelta(seconds=int(sys.argv[2]))).isoformat())" "$instant" "$lead")@$(($(date +%s) + 5))"
  log "restarting granian on the app clock $LOADTEST_CLOCK (instant $instant)"
  start_granian loadtest.clock_wsgi:application
  sleep "$(( $(cut -d@ -f2 <<<"$LOADTEST_CLOCK") - $(date +%s) ))" 2>/dev/null || true
  $PY loadtest/at_1700.py probe --base "http://127.0.0.1:$PORT" --pick "$OUT/at_1700.txt" \
    --sessions "$LOADTEST_SESSIONS" --clock "$LOADTEST_CLOCK" --seconds $((WARMUP + 40)) >"$OUT/probe.txt" &
  probe_pid=$!
  LOADTEST_PREFIX=loadtest.warmup wrk -t2 -c8 -d"$WARMUP"s --timeout "$TIMEOUT"s -s loadtest/rotate.lua \
    "http://127.0.0.1:$PORT" >/dev/null
  drive loadtest.at_1700.c32 32 40
  probe_rc=0
  wait "$probe_pid" || probe_rc=$?
  cat "$OUT/probe.txt"
  [ "$probe_rc" -eq 0 ] || { log "FAILED: the grade did not turn visible exactly at the instant (see above)"; exit 1; }
elif [ -n "$SOAK" ]; then
  log "soak: c=32 for $SOAK s"
  drive loadtest.soak 32 "$SOAK"
else
  for c in 8 32; do
    log "c=$c for $DURATION s"
    drive "loadtest.parent_grades.c$c" "$c" "$DURATION"
  done
fi

if [ "$errors" -ne 0 ]; then
  log "FAILED: $errors responses were not the real page (see $OUT/granian.log)"
  exit 1
fi
log "every response was the real page"
