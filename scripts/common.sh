# Shared helpers for the make targets. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR="$ROOT/var"
UV_VERSION="0.13.9"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\n\033[1;31mError:\033[0m %s\n\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" = "0" ]; }

# A Python of 3.12 or later. The machine's default python3 may be older, and
# pyenv's shims for other versions fail unless selected, so each candidate is run.
find_python() {
  local candidate
  for candidate in ${CP_PYTHON:-} python3.13 python3.12 python3 \
      "$HOME"/.pyenv/versions/3.13*/bin/python3 "$HOME"/.pyenv/versions/3.12*/bin/python3 \
      /usr/local/bin/python3.13 /usr/local/bin/python3.12 /usr/bin/python3.13 /usr/bin/python3.12; do
    [ -n "$candidate" ] || continue
    if "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
      "$candidate" -c 'import sys; print(sys.executable)'
      return 0
    fi
  done
  return 1
}

# uv from PyPI, in a private tools folder unless one is already on PATH.
ensure_uv() {
  if command -v uv >/dev/null 2>&1; then UV="$(command -v uv)"; return; fi
  UV="$VAR/tools/bin/uv"
  if [ ! -x "$UV" ]; then
    say "Installing uv $UV_VERSION into var/tools"
    command -v python3 >/dev/null || die "python3 is needed to install uv. Install Python 3 and try again."
    python3 -m venv "$VAR/tools" || die "Could not create a virtual environment (is python3-venv installed?)."
    "$VAR/tools/bin/pip" install --quiet "uv==$UV_VERSION" || die "Could not install uv from PyPI."
  fi
}

# Install the locked dependencies into .venv.
sync_python() {
  ensure_uv
  local python
  python="$(find_python)" || die "Python 3.12 or later is needed and none was found.
Install Python 3.13 (or 3.12), or point CP_PYTHON at one: make run CP_PYTHON=/path/to/python3.13"
  say "Installing dependencies from uv.lock (Python: $python)"
  UV_PYTHON_DOWNLOADS=never "$UV" sync --locked --python "$python" --quiet
}

# Generated secrets live in var/, which is never committed.
ensure_secret() {
  local file="$VAR/secrets/$1"
  mkdir -p "$VAR/secrets"
  chmod 700 "$VAR/secrets"
  if [ ! -s "$file" ]; then
    (umask 077; od -An -N32 -tx1 /dev/urandom | tr -d ' \n' > "$file")
  fi
  cat "$file"
}
