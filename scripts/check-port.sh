#!/usr/bin/env bash
# Stop early, with advice, when the web port is already taken.
source "$(dirname "$0")/common.sh"
host="$1"; port="$2"
if ! python3 - "$host" "$port" <<'PY'
import socket, sys
with socket.socket() as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind((sys.argv[1], int(sys.argv[2])))
    except OSError:
        sys.exit(1)
PY
then
  die "Port $port on $host is already in use, so the app cannot start there.
Stop whatever is using it (see: ss -ltnp 'sport = :$port'), or choose another port:
    make run PORT=8001"
fi
