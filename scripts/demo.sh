#!/usr/bin/env bash
# Sets everything up on a fresh machine and serves the demo at http://127.0.0.1:8000.
# Extra arguments go to `ioc demo` (e.g. --port 8080, --reset).
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
exec "${UV[@]}" run --frozen ioc demo "$@"
