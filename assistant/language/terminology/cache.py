"""The terminology index, built once from the datasets and kept in a cache file.

Reading the datasets (bz2 pickles, a 10 MB ontology) and filtering them takes seconds; the
built index loads in a fraction of that. The file is keyed by the build rules' version and
the dataset packages' versions, written atomically, and rebuilt when it cannot be read.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import tempfile
from pathlib import Path

from assistant.language.terminology import datasets
from assistant.language.terminology.build import BUILD, TermIndex, build_datasets

log = logging.getLogger(__name__)


def cache_file(folder: Path) -> Path:
    """Where the index for the installed datasets and build rules is kept."""
    key = json.dumps({"build": BUILD, **datasets.versions()}, sort_keys=True)
    return folder / f"terminology-{hashlib.sha256(key.encode()).hexdigest()[:16]}.pickle"


def load_index(folder: Path) -> TermIndex:
    """The cached index, built (and cached) first when missing or unreadable."""
    path = cache_file(folder)
    try:
        with path.open("rb") as handle:
            index = pickle.load(handle)
        if isinstance(index, TermIndex) and index.build == BUILD and index.variants:
            return index
    except FileNotFoundError:
        pass
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError) as exc:
        log.warning("terminology cache %s unreadable (%s); rebuilding it", path, exc)
    index = build_datasets()
    _write(path, index)
    return index


def _write(path: Path, index: TermIndex) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as tmp:
            pickle.dump(index, tmp, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp.name, path)
    except OSError as exc:  # a read-only home still answers, building each time
        log.warning("cannot cache the terminology index at %s: %s", path, exc)
