#!/usr/bin/env bash
# The web UI's browser journeys run in Debian's chromium, never a browser a tool downloads.
# Installs it when it is missing and this user may (root, or sudo without a password); else says how, in one line.
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo"; else
  echo "The browser journeys need Debian's chromium at $CHROMIUM: run 'sudo apt-get install chromium' (or set CHROMIUM_PATH), then npm test again." >&2
  exit 1
fi
echo "Installing Debian's chromium for the web UI's browser journeys..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
[ -x "$CHROMIUM" ] || { echo "Debian's chromium was installed, but $CHROMIUM is still missing: unset CHROMIUM_PATH or point it at /usr/bin/chromium." >&2; exit 1; }
