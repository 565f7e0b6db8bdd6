#!/usr/bin/env bash
# Debian chromium for the `browser` test marker, driven by the Python playwright package pinned
# in the dev extras. Never `playwright install`: it downloads its own browser (fails offline).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
