# The production image: one image for web (gunicorn), worker and beat.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=onetouch.settings.base
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends gettext curl ffmpeg poppler-utils fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DEBUG=false SECRET_KEY=build-only SITE_URL=https://build.invalid python manage.py collectstatic --no-input
# var/ recursively: the web service collects static files again at start into the volume nginx serves.
RUN useradd --create-home onetouch && mkdir -p /app/var && chown -R onetouch /app/var
USER onetouch
EXPOSE 8000
CMD ["gunicorn", "onetouch.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--threads", "4", "--access-logfile", "-"]
