#!/usr/bin/env bash
# One-shot set-up on a fresh Debian/Ubuntu machine: system libraries that Qt and
# zbar need, a virtual environment in .venv, pinned dependencies, the package.
# Runs as root or with sudo for the apt part; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

APT_PACKAGES=(
  python3 python3-venv python3-pip
  libzbar0                                   # pyzbar loads it with ctypes
  libegl1 libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3
  libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0
  libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0
  libxcb-xkb1 libxrender1 libxi6 libsm6 libice6
  libpulse0                                  # sounds (QtMultimedia)
  fonts-dejavu-core
  binutils                                   # objdump/objcopy for the PyInstaller build
  openssl                                    # test certificates (tests/api)
  dbus-daemon                                # a private session bus (kiosk keep-awake test)
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# leadscan needs Python >= 3.11 (Debian 12 and Ubuntu 24.04 ship it; Ubuntu 22.04 has
# python3.11 as an extra package).
pick_python() {
  for c in ${PYTHON:-} python3.13 python3.12 python3.11 python3; do
    if command -v "$c" >/dev/null 2>&1 &&
       "$c" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$c"; return 0
    fi
  done
  return 1
}
PY=$(pick_python) || {
  $SUDO apt-get install -y -qq --no-install-recommends python3.11 python3.11-venv
  PY=$(pick_python) || { echo "leadscan needs Python 3.11 or newer" >&2; exit 1; }
}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r requirements.lock
.venv/bin/python -m pip install -q --no-deps -e .
echo "leadscan set up in $(pwd)/.venv"
