# Shared helpers for bin/demo, bin/test and bin/serve. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf '\033[31mError: %s\033[0m\n' "$*" >&2; exit 1; }

# ensure_venv [extra]: create .venv with Python 3.11 and install the project (reinstalls only
# when pyproject.toml changed, so repeated runs are fast).
ensure_venv() {
    local extra="${1:-}"
    local python="${PYTHON:-}"
    if [ -z "$python" ]; then
        for candidate in python3.11 python3; do
            if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
                python="$candidate"; break
            fi
        done
    fi
    [ -n "$python" ] || die "Python 3.11 is required (set PYTHON=/path/to/python3.11)."
    if [ ! -x "$PY" ]; then
        say "Creating .venv"
        "$python" -m venv "$VENV" || die "could not create .venv (on Debian/Ubuntu: apt-get install python3.11-venv)"
    fi
    local spec="."
    [ -n "$extra" ] && spec=".[$extra]"
    local stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)-${extra:-base}"
    if [ ! -f "$stamp" ]; then
        say "Installing Protect ${extra:+with [$extra] }into .venv"
        "$PY" -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
        "$PY" -m pip install --quiet -e "$spec"
        touch "$stamp"
    fi
}

is_root() { [ "$(id -u)" = "0" ]; }

apt_install() {
    is_root || return 1
    command -v apt-get >/dev/null 2>&1 || return 1
    say "Installing with apt-get: $*"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

tcp_open() {  # tcp_open HOST PORT
    "$PY" - "$1" "$2" <<'PYEOF'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()
except OSError:
    sys.exit(1)
PYEOF
}

# ensure_postgres: DATABASE_URL if given, else the local server on 127.0.0.1:5432 (started, or
# installed with apt-get when we are root).
ensure_postgres() {
    if [ -n "${DATABASE_URL:-}" ]; then
        return 0
    fi
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/protect"
    if tcp_open 127.0.0.1 5432; then return 0; fi
    if ! command -v pg_ctlcluster >/dev/null 2>&1; then
        apt_install postgresql || die "PostgreSQL is not running on 127.0.0.1:5432. Start it, or set DATABASE_URL=postgres://user@host:port/db."
    fi
    say "Starting PostgreSQL"
    if is_root; then
        local version
        version="$(ls /etc/postgresql | sort -V | tail -1)"
        pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
        # Local development trusts the loopback; a real deployment sets DATABASE_URL with a password.
        local hba="/etc/postgresql/$version/main/pg_hba.conf"
        if ! grep -q "protect-trust" "$hba"; then
            sed -i '1i host all all 127.0.0.1/32 trust # protect-trust\nhost all all ::1/128 trust # protect-trust' "$hba"
            pg_ctlcluster --skip-systemctl-redirect "$version" main reload || true
        fi
    fi
    for _ in $(seq 1 30); do tcp_open 127.0.0.1 5432 && return 0; sleep 1; done
    die "PostgreSQL did not come up on 127.0.0.1:5432. Start it, or set DATABASE_URL."
}

# ensure_database: create the database of DATABASE_URL when it is the local default and missing.
ensure_database() {
    local url="${DATABASE_URL:-}"
    [[ "$url" == postgres://postgres@127.0.0.1:5432/* ]] || return 0
    local db="${url##*/}"
    if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1; then
        say "Creating database $db"
        psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE \"$db\"" >/dev/null
    fi
}

ensure_redis() {
    if [ -n "${REDIS_URL:-}" ]; then
        return 0
    fi
    export REDIS_URL="redis://127.0.0.1:6379/0"
    if tcp_open 127.0.0.1 6379; then return 0; fi
    if ! command -v redis-server >/dev/null 2>&1; then
        apt_install redis-server || die "Redis is not running on 127.0.0.1:6379. Start it, or set REDIS_URL=redis://host:port/db."
    fi
    say "Starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
    for _ in $(seq 1 20); do tcp_open 127.0.0.1 6379 && return 0; sleep 0.5; done
    die "Redis did not come up on 127.0.0.1:6379. Start it, or set REDIS_URL."
}

ensure_chromium() {
    if [ -x /usr/bin/chromium ]; then return 0; fi
    apt_install chromium || die "Debian's chromium is needed for the browser tests: apt-get install -y chromium"
}
