# Shared by run.sh and test.sh: find Python 3.11+, make the virtualenv, install requirements.
set -euo pipefail
cd "$(dirname "$0")/.."

python_find() {
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      echo "$candidate"; return 0
    fi
  done
  echo "Python 3.11 or newer is needed: apt-get install python3 python3-venv" >&2
  return 1
}

apt_install() {
  # Installs Debian packages when we may (root, apt-get present); otherwise says what to install.
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq >/dev/null; APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else
    echo "Please install these packages, then run again: $*" >&2
    return 1
  fi
}

venv_install() {
  local requirements=$1
  if [ ! -x .venv/bin/python ]; then
    "$(python_find)" -m venv .venv || { apt_install python3-venv && "$(python_find)" -m venv .venv; }
  fi
  local stamp=".venv/.installed-$(cat requirements*.txt | sha1sum | cut -c1-12)-$(basename "$requirements")"
  if [ ! -f "$stamp" ]; then
    .venv/bin/pip install -q --upgrade pip
    .venv/bin/pip install -q -r "$requirements"
    touch "$stamp"
  fi
}

media_tools_install() {
  # The worker's programs for lesson media: ffmpeg (video duration, poster, HLS renditions, demo video),
  # poppler-utils (slide pages as images) and a font with Vietnamese letters (demo slides).
  # LibreOffice (PPTX/ODP slides to PDF) is optional and not installed: apt-get install libreoffice-impress.
  if command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 \
    && command -v pdftoppm >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1 \
    && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
    return 0
  fi
  apt_install ffmpeg poppler-utils fonts-dejavu-core
}
