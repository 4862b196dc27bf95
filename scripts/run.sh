#!/usr/bin/env bash
# The embedded platform: SQLite, local disk, a Celery worker and beat on kombu's filesystem
# transport, and the web server on http://127.0.0.1:8000 with demo data.
source "$(dirname "$0")/common.sh"

venv_install requirements.txt
media_tools_install || echo "Without ffmpeg and poppler-utils, videos and slides stay 'processing failed'." >&2
export DEBUG="${DEBUG:-true}"
# Where the web server listens, and the address certificates and their QR codes print: one value,
# so a certificate never points at a place the site is not (ADDRESS=0.0.0.0:8000 SITE_URL=http://10.0.0.5:8000 make run).
ADDRESS="${ADDRESS:-127.0.0.1:8000}"
export SITE_URL="${SITE_URL:-http://$ADDRESS}"
site_host="${SITE_URL#*://}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost,${site_host%%[:/]*}}"
export DJANGO_SETTINGS_MODULE=onetouch.settings.base
mkdir -p var/log

.venv/bin/python manage.py migrate --no-input -v 0
.venv/bin/python manage.py load_demo_data > var/log/demo.txt
# Old-style addresses in rosters convert through these tables (about 2 s; docs/decisions/0021).
.venv/bin/python manage.py load_address_mappings > /dev/null
# In-person days sit above the learners app that loads the rest of the demo: loaded after it.
.venv/bin/python manage.py load_demo_in_person_days > /dev/null
# The Hà Nội admin's roster (old-style addresses convert through the tables above) and the announcements
# to the demo learner's courses: after the days, whose enrolments they build on. One line each below.
roster_summary=$(.venv/bin/python manage.py load_demo_rosters)
announcements_summary=$(.venv/bin/python manage.py load_demo_announcements)
# A fresh API key of the Hà Nội admin at every start (a key is shown once; the one printed before is revoked).
api_key_summary=$(.venv/bin/python manage.py load_demo_api_key)
# The demo's 90 days of activity on the dashboards at once, not after the first fold (beat, every minute),
# and the catalogue's enrolment counts, not after the first periodic recount.
.venv/bin/python manage.py rebuild_statistics > /dev/null
.venv/bin/python manage.py refresh_enrolment_counts > /dev/null
.venv/bin/python manage.py collectstatic --no-input -v 0

# Background and periodic jobs: stopped with the web server (Ctrl+C). One worker serves every queue
# (onetouch/queues.py); production runs one per queue (docker-compose.yml, docs/decisions/0027).
.venv/bin/celery -A onetouch worker -Q "$(.venv/bin/python -m onetouch.queues)" --pool=threads --concurrency=2 --loglevel=INFO > var/log/worker.log 2>&1 &
worker_pid=$!
.venv/bin/celery -A onetouch beat --schedule var/celerybeat-schedule --loglevel=INFO > var/log/beat.log 2>&1 &
beat_pid=$!
trap 'kill $worker_pid $beat_pid 2>/dev/null || true' EXIT INT TERM

cat <<MSG

  OneTouch is starting at $SITE_URL (certificates and their QR codes point there)
  $(sed -n '1p' var/log/demo.txt)
  $(sed -n '2,$p' var/log/demo.txt | sed 's/^/  /')
  $roster_summary
  $announcements_summary
  $api_key_summary
  Jobs: var/log/worker.log (emails, roster invitations and in-person day SMS are printed there), var/log/beat.log. SMS codes print below.

MSG
.venv/bin/python manage.py runserver "$ADDRESS"
