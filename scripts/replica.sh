#!/usr/bin/env bash
# The read replica: a hot standby of the private PostgreSQL (var/pg) under var/pg-replica,
# copied with pg_basebackup and kept up to date by streaming replication over 127.0.0.1.
# `replica.sh start`, `replica.sh stop`, `replica.sh status`. Start writes CP_REPLICA_URL
# into var/env, so the app reads its dashboards and reports from the standby.
source "$(dirname "$0")/pg.sh"

STANDBY="$VAR/pg-replica"
S_DATA="$STANDBY/data"
S_RUN="$STANDBY/run"
S_LOG="$STANDBY/postgresql.log"
REPL_USER="cp_replication"

# SQL (from -c or stdin) run on the primary as its superuser, through its unix socket.
primary_sql() {
  PGPASSWORD="$(ensure_secret pg_password)" "$BIN/psql" -h "$RUN" -p "$(cat "$PG/port")" \
    -U "$DB_USER" -d postgres -tAXq -v ON_ERROR_STOP=1 "$@"
}

running() { [ -f "$1/PG_VERSION" ] && as_owner "$BIN/pg_ctl" status -D "$1" >/dev/null 2>&1; }

# Which cluster a data folder belongs to: a standby shares its primary's identifier.
system_id() { as_owner "$BIN/pg_controldata" "$1" | sed -n 's/^Database system identifier: *//p'; }

# Replace the CP_REPLICA_URL line of var/env with one for this URL, or remove it (no URL).
set_env_url() {
  local env="$VAR/env" rest
  [ -f "$env" ] || return 0
  rest="$(grep -v '^CP_REPLICA_URL=' "$env" || true)"
  (umask 077; { printf '%s\n' "$rest"; [ -z "$1" ] || printf 'CP_REPLICA_URL=%s\n' "$1"; } > "$env")
}

# The primary must listen on 127.0.0.1: clusters made before it did only do so once restarted.
check_loopback() {
  case "$(primary_sql -c 'SHOW listen_addresses')" in
    *127.0.0.1* | *localhost* | '*') ;;
    *) die "The private PostgreSQL listens only on its unix socket, because it was started before
it was set up to listen on 127.0.0.1 too. Restart it (make stop, then make replica)." ;;
  esac
}

# A replication role on the primary, then a copy of it that starts as a standby (-R).
create_standby() {
  local password port
  password="$(ensure_secret pg_replication_password)"
  primary_sql >/dev/null <<SQL
SELECT 'CREATE ROLE $REPL_USER' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$REPL_USER') \gexec
ALTER ROLE $REPL_USER WITH LOGIN REPLICATION PASSWORD '$password';
SQL
  say "Copying the primary into var/pg-replica (pg_basebackup over 127.0.0.1:$(cat "$PG/port"))"
  rm -rf "$S_DATA"
  mkdir -p "$STANDBY" "$S_RUN"
  chmod 700 "$S_RUN"
  # The standby keeps reading its password from this file whenever it reconnects.
  (umask 077; printf '127.0.0.1:%s:*:%s:%s\n' "$(cat "$PG/port")" "$REPL_USER" "$password" \
    > "$STANDBY/.pgpass")
  is_root && chown postgres "$STANDBY" "$S_RUN" "$STANDBY/.pgpass"
  as_owner env PGPASSFILE="$STANDBY/.pgpass" "$BIN/pg_basebackup" -h 127.0.0.1 \
    -p "$(cat "$PG/port")" -U "$REPL_USER" -D "$S_DATA" -R -X stream -c fast \
    >"$STANDBY/basebackup.log" 2>&1 || die "pg_basebackup failed; see var/pg-replica/basebackup.log"
  port="${CP_REPLICA_PORT:-$(free_port)}"  # the standby's socket port
  echo "$port" > "$STANDBY/port"
  cat >> "$S_DATA/postgresql.conf" <<CONF

# Read replica (scripts/replica.sh): a hot standby of var/pg, read through its own socket.
listen_addresses = ''
unix_socket_directories = '$S_RUN'
port = $port
hot_standby = on
CONF
}

start() {
  [ -z "${DATABASE_URL:-}" ] || die "DATABASE_URL is set: make replica makes a standby of the
project's private PostgreSQL only. For your own server, have a standby set up and point
CP_REPLICA_URL at it (docs/deployment.md, 'Read replica')."
  BIN="$(find_pg_bin)" || die "$NO_PG"
  running "$DATA" || die "The private PostgreSQL isn't running: start it with make db."
  check_loopback
  if [ -f "$S_DATA/PG_VERSION" ] && [ "$(system_id "$S_DATA")" != "$(system_id "$DATA")" ]; then
    say "var/pg-replica is a copy of an earlier var/pg: copying the current one"
    if running "$S_DATA"; then as_owner "$BIN/pg_ctl" stop -D "$S_DATA" -m immediate >/dev/null; fi
    rm -rf "$S_DATA"
  fi
  [ -f "$S_DATA/PG_VERSION" ] || create_standby
  local port; port="$(cat "$STANDBY/port")"
  if running "$S_DATA"; then
    say "Read replica already running (var/pg-replica, socket port $port)"
  else
    say "Starting the read replica (var/pg-replica, socket port $port)"
    is_root && touch "$S_LOG" && chown postgres "$S_LOG"
    as_owner "$BIN/pg_ctl" start -D "$S_DATA" -l "$S_LOG" -w -t 60 >/dev/null \
      || die "The read replica did not start; see var/pg-replica/postgresql.log"
  fi
  set_env_url "postgres://$DB_USER:$(ensure_secret pg_password)@/$DB_NAME?host=$S_RUN&port=$port"
  say "Dashboards and reports now read from the replica (CP_REPLICA_URL in var/env)"
}

stop() {
  BIN="$(find_pg_bin)" || die "$NO_PG"
  if running "$S_DATA"; then
    as_owner "$BIN/pg_ctl" stop -D "$S_DATA" -m fast -w >/dev/null
    say "Read replica stopped"
  else
    say "Read replica was not running"
  fi
  set_env_url ""
}

# The standby's state, and the primary's view of it: streaming, and how far behind.
status() {
  BIN="$(find_pg_bin)" || die "$NO_PG"
  as_owner "$BIN/pg_ctl" status -D "$S_DATA"
  running "$DATA" || return 0
  primary_sql -F ' ' -c "SELECT 'Replication:', state, 'replay lag', coalesce(replay_lag::text,
    'none') FROM pg_stat_replication WHERE usename = '$REPL_USER'"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: scripts/replica.sh start|stop|status" ;;
esac
