#!/usr/bin/env bash
# Local set-up without Docker: Debian packages, PostgreSQL 15 + PostGIS, Redis, the database role,
# database and extension, and the project's virtualenv. Idempotent: a second run changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

DB_NAME=${DB_NAME:-pangmu}
DB_USER=${DB_USER:-pangmu}
DB_PASSWORD=${DB_PASSWORD:-pangmu}
PG_PORT=${PG_PORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}
VENV=${VENV:-.venv}

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# --- 1. Debian packages ---------------------------------------------------------------------------
PKGS=(postgresql-15 postgresql-15-postgis-3 postgresql-client-15 gdal-bin libgdal-dev libgeos-dev
      libproj-dev redis-server zbar-tools poppler-utils fonts-thai-tlwg chromium docker-compose fontconfig
      python3-qgis qgis)
PY=${PYTHON:-$(command -v python3.11 || command -v python3)}
if ! "$PY" -c 'import venv, ensurepip' >/dev/null 2>&1; then PKGS+=(python3-venv python3-dev); fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  mkdir -p var && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >var/apt.log 2>&1 || { tail -20 var/apt.log; exit 1; }
else
  log "Debian packages present"
fi

# --- 2. PostgreSQL --------------------------------------------------------------------------------
if ! pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; then
  if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -q '^15 main$'; then
    log "creating PostgreSQL 15 cluster"
    as_root pg_createcluster 15 main --port "$PG_PORT"
  fi
  log "starting PostgreSQL 15"
  as_root pg_ctlcluster --skip-systemctl-redirect 15 main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && break; sleep 1; done
  pg_isready -h 127.0.0.1 -p "$PG_PORT"
else
  log "PostgreSQL is running on 127.0.0.1:$PG_PORT"
fi

export PGOPTIONS="--client-min-messages=warning"
pg_admin() {
  # Peer authentication as the postgres system user, falling back to TCP as postgres.
  if [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1; then
    runuser -u postgres -- psql -p "$PG_PORT" -v ON_ERROR_STOP=1 -qAt "$@"
  else
    psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"
  fi
}
if [ "$(pg_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" != "1" ]; then
  log "creating database role $DB_USER"
  pg_admin -c "CREATE ROLE \"$DB_USER\" LOGIN CREATEDB PASSWORD '$DB_PASSWORD'"
fi
# PostGIS in template1: every database created from it (the test database too) has the extension,
# so the application role needs no superuser rights.
pg_admin -d template1 -c "CREATE EXTENSION IF NOT EXISTS postgis"
if [ "$(pg_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != "1" ]; then
  log "creating database $DB_NAME"
  pg_admin -c "CREATE DATABASE \"$DB_NAME\" OWNER \"$DB_USER\""
fi
pg_admin -d "$DB_NAME" -c "CREATE EXTENSION IF NOT EXISTS postgis"

# --- 3. Redis -------------------------------------------------------------------------------------
if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  log "starting Redis on 127.0.0.1:$REDIS_PORT"
  mkdir -p var/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "$PWD/var/redis" --logfile "$PWD/var/redis/redis.log"
  for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.5; done
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null
else
  log "Redis is running on 127.0.0.1:$REDIS_PORT"
fi

# --- 4. Python virtualenv -------------------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
  log "creating virtualenv $VENV with $PY"
  "$PY" -m venv "$VENV"
fi
stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  log "installing the project into $VENV (pip install -e .[dev])"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q -e '.[dev]'
  rm -f "$VENV"/.installed-*
  touch "$stamp"
else
  log "virtualenv up to date"
fi
mkdir -p var/media var/static
log "ready"
