#!/usr/bin/env bash
# The whole test suite against PostgreSQL and Redis on 127.0.0.1, with the static checks CI runs.
source "$(dirname "$0")/common.sh"

# --- Services -------------------------------------------------------------------------------
postgres_ready() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; }
redis_ready() { command -v redis-cli >/dev/null 2>&1 && [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

if ! postgres_ready; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && ls /etc/postgresql/ >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    sleep 2
  fi
  postgres_ready || {
    echo "PostgreSQL is not answering on 127.0.0.1:5432 (user postgres, trust auth)." >&2
    echo "Install and start it: apt-get install postgresql && pg_ctlcluster <version> main start" >&2
    exit 1
  }
fi
# Replication connections from 127.0.0.1: tests/reporting/test_replica.py copies the server with
# pg_basebackup into a streaming replica of its own (docs/decisions/0026). Added once, where the
# configuration can be written (CI runs as root); elsewhere those tests say what is missing.
hba_file="$(psql -h 127.0.0.1 -U postgres -Atc 'SHOW hba_file' 2>/dev/null || true)"
if [ -w "$hba_file" ] && ! grep -Eq '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba_file"; then
  echo "host replication all 127.0.0.1/32 trust" >>"$hba_file"
  psql -h 127.0.0.1 -U postgres -Atqc 'SELECT pg_reload_conf()' >/dev/null
fi
if ! redis_ready; then
  if command -v redis-server >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
    sleep 1
  fi
  redis_ready || {
    echo "Redis is not answering on 127.0.0.1:6379. Install and start it: apt-get install redis-server" >&2
    exit 1
  }
fi

# --- Tools: Chromium for the browser journeys, gettext for the catalogues, media tools ------
command -v chromium >/dev/null 2>&1 || apt_install chromium fonts-noto-core
command -v msgfmt >/dev/null 2>&1 || apt_install gettext
# nginx: tests/onetouch/test_deploy_nginx.py runs the production shape's proxy configuration.
[ -x /usr/sbin/nginx ] || apt_install nginx-light
# ffmpeg, poppler-utils and fonts: the lesson-media tests run the worker's real tools.
media_tools_install
venv_install requirements-test.txt

# --- Static checks --------------------------------------------------------------------------
.venv/bin/ruff check .
.venv/bin/lint-imports --no-cache
DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres DJANGO_SETTINGS_MODULE=onetouch.settings.test \
  .venv/bin/python manage.py makemigrations --check --dry-run
# The deployment checklist, with production's variables and DEBUG off.
DEBUG=false SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
  ALLOWED_HOSTS=onetouch.example.vn SITE_URL=https://onetouch.example.vn DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
  REDIS_URL=redis://127.0.0.1:6379/14 \
  .venv/bin/python manage.py check --deploy --fail-level WARNING

# --- Tests ----------------------------------------------------------------------------------
exec .venv/bin/pytest "$@"
