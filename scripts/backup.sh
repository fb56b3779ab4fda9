#!/usr/bin/env bash
# Backups of the app's database: `backup.sh backup [FILE]` and `backup.sh restore FILE`.
# The database is the one the app uses (DATABASE_URL, else var/env, as settings.py reads
# them). Backups are pg_dump's custom format, in var/backups unless FILE says otherwise.
source "$(dirname "$0")/pg.sh"

BACKUPS="$VAR/backups"

# pg_dump and pg_restore beside the server programs pg.sh uses, else the ones on PATH
# (a machine that only reaches a PostgreSQL elsewhere may have the client programs alone).
pg_tools() {
  local bin
  if bin="$(find_pg_bin)" && [ -x "$bin/pg_dump" ] && [ -x "$bin/pg_restore" ]; then
    echo "$bin"
  elif command -v pg_dump >/dev/null && command -v pg_restore >/dev/null; then
    dirname "$(command -v pg_dump)"
  else
    die "pg_dump and pg_restore were not found. Install PostgreSQL's client programs
(Debian: apt-get install postgresql-client-15), or set PG_BIN to the folder that holds them."
  fi
}

# The app's own database settings (Django's, so the same database the app uses) as a
# libpq connection string, DB_DSN. The password goes in PGPASSWORD, never on a command
# line, where other users of the machine could read it.
connect() {
  local settings
  settings="$("$ROOT/scripts/uv-run.sh" python - <<'PY'
import shlex
import sys

from django.core.exceptions import ImproperlyConfigured
from psycopg.conninfo import make_conninfo

try:
    from corporate_parenting.settings import DATABASES
except ImproperlyConfigured as error:
    sys.exit(str(error))
db = DATABASES["default"]
# Django's own OPTIONS, which aren't libpq's.
DJANGO_ONLY = {"isolation_level", "server_side_binding", "pool", "assume_role", "cursor_factory"}
params = {"dbname": db["NAME"], "user": db["USER"], "host": db["HOST"], "port": db["PORT"]}
params.update({k: v for k, v in db.get("OPTIONS", {}).items() if k not in DJANGO_ONLY})
print(f"DB_NAME={shlex.quote(db['NAME'])}")
print(f"DB_DSN={shlex.quote(make_conninfo(**{k: v for k, v in params.items() if v}))}")
print(f"export PGPASSWORD={shlex.quote(db['PASSWORD'] or '')}")
PY
)" || die "Could not read the database settings (see above)."
  eval "$settings"
}

backup() {
  local bin file size
  bin="$(pg_tools)"
  connect
  file="${1:-$BACKUPS/corporate-parenting-$(date +%Y%m%d-%H%M%S).dump}"
  mkdir -p "$(dirname "$file")"
  [ -n "${1:-}" ] || chmod 700 "$BACKUPS"
  say "Backing up the database $DB_NAME"
  # Written under another name and renamed when complete, so an interrupted backup never
  # leaves a truncated file that looks like a good one.
  (umask 077; "$bin/pg_dump" --format=custom --file="$file.partial" --dbname="$DB_DSN") \
    || { rm -f "$file.partial"; die "pg_dump failed (see above): no backup was written."; }
  chmod 600 "$file.partial"
  mv "$file.partial" "$file"
  size="$(du -h "$file" | cut -f1)"
  echo "$file ($size)"
}

restore() {
  local bin file="${1:-}" made answer
  [ -n "$file" ] || die "Say which backup to restore: make restore FILE=var/backups/<name>.dump"
  [ -f "$file" ] || die "There is no file $file, so nothing was restored."
  bin="$(pg_tools)"
  made="$("$bin/pg_restore" --list "$file" 2>/dev/null | sed -n 's/^; *Archive created at //p')" \
    || die "$file is not a backup made by make backup (a pg_dump archive), so nothing was restored."
  connect
  cat <<WARN

This replaces everything in the database $DB_NAME with the backup
  $file (made ${made:-at an unknown time}).
Anything saved since that backup is lost. Stop the app and its worker first.

WARN
  if [ "${CONFIRM:-}" != "yes" ]; then
    read -r -p "Type yes to restore it: " answer || true
    [ "$answer" = "yes" ] || die "Nothing was restored. (Set CONFIRM=yes to restore without asking.)"
  fi
  # One transaction: if anything fails, the database is left as it was.
  "$bin/pg_restore" --clean --if-exists --single-transaction --no-owner \
    --dbname="$DB_DSN" "$file" \
    || die "The restore failed (see above) and was rolled back: the database is unchanged."
  say "Restored $file into $DB_NAME"
}

case "${1:-}" in
  backup) backup "${2:-}" ;;
  restore) restore "${2:-}" ;;
  *) die "usage: scripts/backup.sh backup [FILE] | scripts/backup.sh restore FILE" ;;
esac
