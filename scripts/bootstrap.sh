#!/usr/bin/env bash
# Sourced by the other scripts: makes sure uv, Python 3.12 and the project's locked
# environment (.venv) exist, then exposes $UV. Installs nothing outside the registries.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

find_python312() {
  local candidate
  for candidate in "${IOC_PYTHON:-}" python3.12 /root/.pyenv/versions/3.12*/bin/python3.12 \
      /usr/local/bin/python3.12 /usr/bin/python3.12; do
    [ -n "$candidate" ] || continue
    # Not a virtual environment's interpreter (an activated .venv has no pip and no uv).
    if "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 12)
assert sys.prefix == sys.base_prefix' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

if ! PYTHON312=$(find_python312); then
  echo "error: Python 3.12 is needed; install it (e.g. apt-get install python3.12 or pyenv" \
       "install 3.12) or point IOC_PYTHON to it" >&2
  exit 2
fi
export UV_PYTHON="$PYTHON312"

# Networks that inspect TLS put their authority in the system bundle; let uv trust it.
if [ -z "${SSL_CERT_FILE:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  export SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
fi

# `command -v` is not enough: a pyenv shim can exist for a uv that the active Python lacks.
if uv --version >/dev/null 2>&1; then
  UV=(uv)
elif "$PYTHON312" -m uv --version >/dev/null 2>&1; then
  UV=("$PYTHON312" -m uv)
else
  echo "installing uv from PyPI..." >&2
  "$PYTHON312" -m pip install --quiet --disable-pip-version-check uv
  UV=("$PYTHON312" -m uv)
fi

"${UV[@]}" sync --frozen --quiet
