"""Cold ``followup ask`` against the torch floor, in one run (issue 13).

    python -m benchmarks.cold_ask [--runs 3] [--data-dir DIR]

Indexes corpus/ into ``--data-dir`` (once; an existing index is reused), then times, each
``--runs`` times as fresh processes: the torch floor (start Python, import torch and
sentence-transformers, load MiniLM, encode one sentence) and a cold ``followup ask`` of a
sample question (which encodes the question with ONNX Runtime when its graph is exported).
Prints medians, every run, the ratio and the load average. Writes benchmarks/out/cold_ask.json.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import publish

REPO = Path(__file__).resolve().parent.parent
QUESTION = "What is the usual dose of low-dose naltrexone for fibromyalgia?"
# The product's torch embedder: imports torch and sentence-transformers, loads MiniLM.
TORCH_FLOOR = "from assistant.index.embedder import MiniLMEmbedder; MiniLMEmbedder().embed(['x'])"


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=REPO, check=True, capture_output=True)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=REPO / "benchmarks" / "out" / "cold")
    args = parser.parse_args(argv)
    env = {**os.environ, "FOLLOWUP_DATA_DIR": str(args.data_dir), "HF_HUB_OFFLINE": "1"}
    followup = [str(Path(sys.executable).parent / "followup")]  # what a user runs
    subprocess.run([*followup, "ingest", "corpus"], env=env, cwd=REPO, check=True)
    load = os.getloadavg()
    floor = [timed([sys.executable, "-c", TORCH_FLOOR], env) for _ in range(args.runs)]
    ask = [timed([*followup, "ask", QUESTION], env) for _ in range(args.runs)]
    result = {
        "load_average_at_start": load,
        "torch_floor_s": floor,
        "cold_ask_s": ask,
        "torch_floor_median_s": statistics.median(floor),
        "cold_ask_median_s": statistics.median(ask),
        "ratio": statistics.median(ask) / statistics.median(floor),
        "load_average_at_end": os.getloadavg(),
    }
    out = REPO / "benchmarks" / "out" / "cold_ask.json"
    publish(result, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
