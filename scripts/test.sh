#!/usr/bin/env bash
# Runs the whole test suite: SQLite + DuckDB, again on PostgreSQL (127.0.0.1:5432), and the
# browser tests in Debian's Chromium. Extra arguments go to pytest.
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser tests..." >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "warning: chromium is not installed (apt-get install chromium); browser tests" \
         "will fail" >&2
  fi
fi

exec "${UV[@]}" run --frozen pytest "$@"
