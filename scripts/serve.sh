#!/usr/bin/env bash
# Serve the app and run the background worker beside it; Ctrl+C stops both.
source "$(dirname "$0")/common.sh"
host="$1"; port="$2"
cd "$ROOT"
"$ROOT/scripts/uv-run.sh" python manage.py db_worker --interval 0.5 &
worker=$!
trap 'kill $worker 2>/dev/null; wait $worker 2>/dev/null' EXIT INT TERM
"$ROOT/scripts/uv-run.sh" python manage.py runserver "$host:$port" --noreload
