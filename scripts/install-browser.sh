#!/usr/bin/env bash
# Installs Debian's headless browser stack for the web-UI tests (crates/server browser tests):
# `chromium` and `chromium-driver` (chromedriver). No-op when both are already present.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1; }

if have chromium && have chromedriver; then
    echo "install-browser: chromium and chromedriver already installed ($(chromium --version 2>/dev/null | head -n1))"
    exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
    if have sudo; then SUDO="sudo"; else
        echo "install-browser: need root (or sudo) to apt-get install chromium chromium-driver" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null
echo "install-browser: installed $(chromium --version 2>/dev/null | head -n1); chromedriver at $(command -v chromedriver)"
