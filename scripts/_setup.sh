# Shared by scripts/run-demo and scripts/test: a venv with the project installed.
# Sourced, not run. Idempotent and quick when nothing changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "TMO Tracker needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv || {
    echo "python3 -m venv failed: on Debian/Ubuntu install python3-venv first." >&2
    exit 1
  }
fi
# Reinstall only when pyproject.toml changed since the last install.
stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
if [ ! -f "$stamp" ]; then
  echo "==> installing TMO Tracker and its dependencies into .venv"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[dev]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# apt_need PKG…: install Debian packages that are missing (root or sudo).
apt_need() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "Please install: ${missing[*]} (apt-get install)" >&2; return 1; }
    sudo="sudo"
  fi
  echo "==> installing ${missing[*]} with apt-get"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# This checkout's own signing key (in the git-ignored .env), so manage.py works
# here without DEBUG: createsuperuser, makemigrations. Production sets its own.
if [ ! -f .env ]; then
  echo "SECRET_KEY=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env
fi

# Translations: the .po files are the source, the compiled .mo files are build
# output (git-ignored), made here with Debian's gettext.
apt_need gettext
# The development key is enough to compile the catalogues.
DEBUG=true .venv/bin/python manage.py compilemessages --ignore='.venv/*' -v 0
