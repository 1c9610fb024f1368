#!/usr/bin/env bash
# `make run`'s processes: the background worker (django-tasks-db `db_worker`), the notification scheduler
# (`notify_scheduler`, a tick a minute) and granian in the foreground. When granian stops (Ctrl-C, a signal, or a
# crash), the worker and the scheduler are stopped too; a signal to this script stops all three.
#
# Usage: deploy/run-demo.sh VENV HOST PORT WORKERS
set -u
VENV="$1" HOST="$2" PORT="$3" WORKERS="$4"
PY="$VENV/bin/python"
pids=()

stop_all() {
	trap - EXIT INT TERM
	for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
	wait 2>/dev/null
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$PY" manage.py db_worker --no-reload --interval 2 &
pids+=($!)
"$PY" manage.py notify_scheduler &
pids+=($!)
"$VENV/bin/granian" --interface wsgi --host "$HOST" --port "$PORT" --workers "$WORKERS" --blocking-threads 4 \
	--static-path-route /static --static-path-mount staticfiles inzage.wsgi:application &
granian=$!
pids+=($granian)
echo "Inzage op http://$HOST:$PORT (worker pid ${pids[0]}, scheduler pid ${pids[1]}, granian pid $granian)"
wait "$granian"
