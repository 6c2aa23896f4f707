#!/usr/bin/env bash
# Debian packages the engine (EGL/Mesa), the desktop app (Xvfb + xcb) and the tests need; PostgreSQL
# and Redis are the servers of a scaled-out setup, which tests/servers.py starts privately for the suite.
# Installs only what is missing, and only when run as root; otherwise says what to install.
set -euo pipefail
PKGS=(
  libegl1 libegl-mesa0 libgl1 libgl1-mesa-dri libgles2
  xvfb xauth libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-xinerama0
  libxcb-xkb1 libxkbcommon-x11-0 libxcb-cursor0 libxcb-shape0 libxcb-randr0 libxkbcommon0
  libfontconfig1 libdbus-1-3
  chromium chromium-driver
  postgresql redis-server
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "dxgl: missing Debian packages (run as root or install them): ${missing[*]}" >&2
  exit 0
fi
echo "dxgl: installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
