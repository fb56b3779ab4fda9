#!/usr/bin/env bash
# System packages from Debian: installed when root, named in an error otherwise.
#   run:  fonts and libraries WeasyPrint needs for PDFs
#   test: those, plus Chromium for the browser tests
source "$(dirname "$0")/common.sh"

packages=(fonts-liberation libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0)
[ "${1:-run}" = "test" ] && packages+=(chromium)

command -v dpkg-query >/dev/null || exit 0   # not Debian: assume the packages are provided

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if is_root; then
  say "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get could not install: ${missing[*]}"
else
  die "These system packages are needed: ${missing[*]}
Install them as root:  sudo apt-get install ${missing[*]}"
fi
