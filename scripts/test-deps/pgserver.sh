#!/usr/bin/env bash
# PostgreSQL 16 with pgvector from the PyPI wheel pgserver (pinned as a dev dependency), for
# the PostgreSQL index backend's tests (marker `postgres`). The tests start and stop their own
# throw-away server in a temporary directory; as root it runs as the system user "pgserver".
# Idempotent and quick when installed.
set -euo pipefail

PY="${VENV:-.venv}/bin/python"
VERSION="0.1.4"

installed() {
    "$PY" - "$VERSION" <<'PYEOF' 2>/dev/null
import sys
from importlib.metadata import version
from pathlib import Path

import pgserver

assert version("pgserver") == sys.argv[1]
lib = Path(pgserver.__file__).parent / "pginstall" / "lib" / "postgresql" / "vector.so"
assert lib.exists(), lib
PYEOF
}

if installed; then
    exit 0
fi
"$PY" -m pip install -q "pgserver==$VERSION"
installed || { echo "pgserver.sh: pgserver $VERSION has no pgvector (vector.so)" >&2; exit 1; }
