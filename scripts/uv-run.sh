#!/usr/bin/env bash
# Run a command in the project's environment, with uv found as `make install` left it.
source "$(dirname "$0")/common.sh"
ensure_uv
cd "$ROOT"
exec env UV_PYTHON_DOWNLOADS=never "$UV" run --locked --no-sync "$@"
