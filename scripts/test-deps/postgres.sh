#!/usr/bin/env bash
# PostgreSQL server binaries (Debian's postgresql) for the review store's PostgreSQL tests.
# The tests start and stop their own throw-away server in a temporary directory; nothing is
# left running and the packaged cluster is not used. Idempotent and quick when installed.
set -euo pipefail

if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "postgres.sh: PostgreSQL is not installed; run as root (or: sudo apt-get install postgresql)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends postgresql >/dev/null
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
