#!/usr/bin/env bash
# The project's private PostgreSQL under var/pg: `pg.sh start`, `pg.sh stop`, `pg.sh status`.
# With DATABASE_URL set, nothing is started: that server is used instead.
source "$(dirname "$0")/common.sh"

PG="$VAR/pg"
DATA="$PG/data"
RUN="$PG/run"
LOG="$PG/postgresql.log"
DB_NAME="corporate_parenting"
DB_USER="cp"
NO_PG="PostgreSQL's server programs (initdb, pg_ctl) were not found${PG_BIN:+ in PG_BIN=$PG_BIN}.
Install PostgreSQL 15 or later (Debian: apt-get install postgresql-15),
or set PG_BIN to the folder that holds initdb and pg_ctl,
or set DATABASE_URL to use a PostgreSQL server you already run."

find_pg_bin() {
  local dir
  if [ -n "${PG_BIN:-}" ]; then
    [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] && echo "$PG_BIN" && return
    return 1
  fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r) /usr/local/pgsql/bin; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return; fi
  done
  if command -v pg_ctl >/dev/null && command -v initdb >/dev/null; then
    dirname "$(command -v pg_ctl)"; return
  fi
  return 1
}

# initdb refuses to run as root, so as root the server runs as the postgres user.
as_owner() {
  if is_root; then "$(command -v runuser || echo /usr/sbin/runuser)" -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 - <<'PY'
import socket
for port in range(54320, 54400):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
PY
}

init_cluster() {
  local bin="$1" password
  say "Creating a private PostgreSQL cluster in var/pg"
  mkdir -p "$PG" "$RUN"
  if is_root; then
    id postgres >/dev/null 2>&1 || die "Running as root needs the 'postgres' system user (it comes with Debian's postgresql package)."
    # The postgres user must be able to reach var/pg.
    if ! as_owner test -x "$ROOT"; then
      die "The postgres user cannot enter $ROOT. Make its parent folders traversable (chmod o+x) or run as a normal user."
    fi
    chown postgres "$PG" "$RUN"
  fi
  chmod 700 "$RUN"
  password="$(ensure_secret pg_password)"
  local pwfile="$PG/.pwfile"
  (umask 077; printf '%s\n' "$password" > "$pwfile")
  is_root && chown postgres "$pwfile"
  as_owner "$bin/initdb" -D "$DATA" -U "$DB_USER" --pwfile="$pwfile" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$PG/initdb.log" 2>&1 \
    || { rm -f "$pwfile"; die "initdb failed; see var/pg/initdb.log"; }
  rm -f "$pwfile"
  # The port is CP_PG_PORT if set, else the first free one from 54320.
  echo "${CP_PG_PORT:-$(free_port)}" > "$PG/port"
  cat >> "$DATA/postgresql.conf" <<CONF

# Project-private server: the app uses the unix socket in var/pg/run; 127.0.0.1 (never
# another interface, scram-sha-256 only) carries streaming replication to make replica.
listen_addresses = '127.0.0.1'
unix_socket_directories = '$RUN'
unix_socket_permissions = 0700
port = $(cat "$PG/port")
CONF
}

start() {
  if [ -n "${DATABASE_URL:-}" ]; then
    say "DATABASE_URL is set: using that PostgreSQL, not a private one"
    write_env ""
    return
  fi
  local bin
  bin="$(find_pg_bin)" || die "$NO_PG"
  [ -f "$DATA/PG_VERSION" ] || init_cluster "$bin"
  local port; port="$(cat "$PG/port")"
  if as_owner "$bin/pg_ctl" status -D "$DATA" >/dev/null 2>&1; then
    say "PostgreSQL already running (var/pg, socket port $port)"
  else
    say "Starting PostgreSQL (var/pg, socket port $port)"
    listen_on_loopback
    is_root && chown postgres "$PG" "$RUN" && touch "$LOG" && chown postgres "$LOG"
    as_owner "$bin/pg_ctl" start -D "$DATA" -l "$LOG" -w -t 60 >/dev/null \
      || die "PostgreSQL did not start; see var/pg/postgresql.log"
  fi
  local password; password="$(ensure_secret pg_password)"
  if ! PGPASSWORD="$password" "$bin/psql" -h "$RUN" -p "$port" -U "$DB_USER" -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1; then
    PGPASSWORD="$password" "$bin/createdb" -h "$RUN" -p "$port" -U "$DB_USER" "$DB_NAME"
  fi
  write_env "postgres://$DB_USER:$password@/$DB_NAME?host=$RUN&port=$port"
}

# A cluster made before make replica existed listened on its socket alone; from its next
# start it listens on 127.0.0.1 too, so a standby can stream from it.
listen_on_loopback() {
  if grep -q "^listen_addresses = ''$" "$DATA/postgresql.conf"; then
    as_owner sed -i "s/^listen_addresses = ''$/listen_addresses = '127.0.0.1'/" "$DATA/postgresql.conf"
  fi
}

write_env() {
  local secret_key replica=""; secret_key="$(ensure_secret django_secret_key)"
  # The standby of scripts/replica.sh keeps its line while the primary is this one.
  [ -z "$1" ] || replica="$(grep -s '^CP_REPLICA_URL=' "$VAR/env" || true)"
  (umask 077; cat > "$VAR/env" <<ENV
# Written by scripts/pg.sh: local settings with generated secrets. Never commit.
DJANGO_SECRET_KEY=$secret_key
${1:+DATABASE_URL=$1}
$replica
ENV
  )
}

stop() {
  local bin
  bin="$(find_pg_bin)" || die "$NO_PG"
  if [ -f "$DATA/PG_VERSION" ] && as_owner "$bin/pg_ctl" status -D "$DATA" >/dev/null 2>&1; then
    as_owner "$bin/pg_ctl" stop -D "$DATA" -m fast -w >/dev/null
    say "PostgreSQL stopped"
  else
    say "PostgreSQL was not running"
  fi
}

status() {
  local bin; bin="$(find_pg_bin)" || die "$NO_PG"
  as_owner "$bin/pg_ctl" status -D "$DATA"
}

# scripts/replica.sh sources this file for its helpers and settings.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) die "usage: scripts/pg.sh start|stop|status" ;;
  esac
fi
