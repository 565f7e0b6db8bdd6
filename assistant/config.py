"""Typed settings, nested by concern, read from ``FOLLOWUP_*`` environment variables.

Nested values use a double underscore: ``FOLLOWUP_RETRIEVAL__TOP_K=8``. Secrets are
``SecretStr`` so they never appear in reprs, logs or stored records.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# Versioned package data (prompts, lexicons), found through the package, not the checkout.
PACKAGE_DATA = Path(__file__).resolve().parent / "data"


class IndexSettings(BaseModel):
    """How passages are chunked and embedded."""

    # Where the indexes live; default: ``<data_dir>/index``.
    path: Path | None = None
    # A PostgreSQL database with pgvector (``postgresql://user@host/db``) holding the index
    # for N app servers; unset: embedded Chroma + bm25s under ``path``. Redacted in messages.
    url: str | None = None

    # cl100k tokens of passage text per chunk. With the heading prefix this stays well inside
    # the embedding model's 256-WordPiece window (medical words split into many WordPieces).
    chunk_tokens: int = Field(150, ge=20, le=200)
    chunk_overlap: int = Field(25, ge=0, le=100)
    embed_batch_size: int = Field(64, ge=1, le=1024)
    collection: str = "passages"
    # Input limits: a corpus file or one document over them is refused with an error naming
    # it (a 20 MB article would otherwise take 40 min and 1.2 GB to index). The largest
    # MedQuAD answer is ~27k characters, the largest MedQuAD file 60 kB.
    max_file_mb: float = Field(64.0, gt=0)
    max_document_chars: int = Field(100_000, ge=1_000)
    # Which runtime encodes text: "onnx" (no torch import: a cold `followup ask` starts in a
    # fraction of the time), "torch" (sentence-transformers), or "auto": onnx once ingest has
    # exported and checked the graph, torch before that.
    embedder: Literal["auto", "onnx", "torch"] = "auto"
    # Where the exported embedding graph is cached (shared by every data directory).
    model_cache: Path = Path.home() / ".cache" / "followup" / "models"
    # Where the terminology index built from the dataset packages is cached (any data dir).
    terminology_cache: Path = Path.home() / ".cache" / "followup" / "terminology"


class RetrievalSettings(BaseModel):
    """How dense and lexical results are fused and cut."""

    top_k: int = Field(6, ge=1, le=50)
    candidates: int = Field(30, ge=1, le=500)
    rrf_k: int = Field(60, ge=1)
    dense_weight: float = Field(1.0, ge=0)
    # BM25 at half the weight of dense: +0.015 nDCG@10 on MedQuAD dev, no loss on the sample
    # conversations (evals/README.md).
    lexical_weight: float = Field(0.5, ge=0)
    # Strip greetings, thanks and sign-offs from long messages before searching.
    focus_queries: bool = True
    # Fused score multiplier for the anchor article and the sources it cites.
    anchor_boost: float = Field(1.5, ge=1.0)


class AnswerSettings(BaseModel):
    """How the extractive answer is composed and when the assistant refuses."""

    max_sentences: int = Field(4, ge=1, le=12)
    # Cosine similarity of the best passage to the question below which the approved
    # sources are taken not to cover a question that names no drug, condition, population or
    # dose to check (calibrated on the sample corpus); see assistant/coverage.py.
    min_evidence: float = Field(0.42, ge=-1, le=1)
    # Under this similarity nothing retrieved is about the question, whatever it names.
    evidence_floor: float = Field(0.2, ge=-1, le=1)
    # A sentence must be at least this similar to the question to be quoted.
    min_sentence_similarity: float = Field(0.30, ge=-1, le=1)
    near_duplicate_jaccard: float = Field(0.6, gt=0, le=1)
    near_duplicate_cosine: float = Field(0.85, gt=0, le=1)
    # Maximal-marginal-relevance weight on a sentence's similarity to those already chosen.
    redundancy_penalty: float = Field(0.5, ge=0, le=2)
    disclaimer_version: int | None = None  # newest when unset


class StoreSettings(BaseModel):
    """Where answers and conversations are kept, and how long the store waits before it gives
    up (so a stalled writer or a database that went away costs a clear 503, never a hang)."""

    url: str | None = None  # default: sqlite file in the data directory
    # Waiting for a lock another writer holds (both backends); past it: 503, nothing saved.
    lock_timeout_s: float = Field(5.0, gt=0, le=600)
    # PostgreSQL only: one statement's limit; a transaction left idle this long (a stopped
    # process holding locks) is ended by the server; one connection attempt; waiting for a
    # working pooled connection; connections per process at most (each, for reads and writes).
    statement_timeout_s: float = Field(15.0, gt=0, le=3600)
    idle_in_transaction_s: float = Field(30.0, gt=0, le=3600)
    connect_timeout_s: float = Field(3.0, gt=0, le=120)
    pool_timeout_s: float = Field(5.0, gt=0, le=600)
    pool_size: int = Field(6, ge=1, le=200)


class ReviewSettings(BaseModel):
    """How answers are reviewed."""

    # Whether a reviewer may approve an answer to a question they asked themselves.
    allow_self_approval: bool = False


class AuditSettings(BaseModel):
    """The audit trail's HMAC key, kept outside the database (created 0600 on first use)."""

    key_file: Path | None = None  # default: <data_dir>.audit-key beside the data directory


class LLMSettings(BaseModel):
    """An OpenAI-compatible endpoint; unset means the extractive generator answers."""

    base_url: str | None = None
    api_key: SecretStr | None = None
    model: str = "gpt-4o-mini"
    # How the model composes an answer. "select": it picks and orders numbered sentences of the
    # retrieved passages (optionally with one short lead sentence) and the code assembles the
    # answer from those sentences verbatim, so no claim is in the model's wording; the right
    # default for small models, which paraphrase numbers and directions unreliably. "write":
    # the model writes the answer and every sentence is verified in code.
    mode: Literal["select", "write"] = "select"
    # Deadline for one whole generation (every attempt and the streamed reply together);
    # past it the extractive answer is used instead.
    timeout_s: float = Field(30.0, gt=0)
    max_tokens: int = Field(600, ge=16)
    temperature: float = Field(0.1, ge=0, le=2)
    max_retries: int = Field(1, ge=0, le=5)  # retries of connection errors, 429 and 5xx
    max_concurrency: int = Field(4, ge=1, le=256)  # generations in flight per process
    condense: bool = True  # rewrite follow-ups with the model (rule-based when it fails)
    # Share of a generated sentence's content words that must occur in its cited passages:
    # a paraphrase rewords everyday words ("steer clear of", "a fortnight"); the meaning
    # checks (entities, values, polarity) catch what it changes.
    min_support: float = Field(0.55, ge=0, le=1)
    # A second model call judges each kept sentence against its cited sentence (assistant.judge).
    judge: bool = False


class ServerSettings(BaseModel):
    """Limits of the HTTP service (``followup serve``)."""

    max_body_bytes: int = Field(256 * 1024, ge=1024)
    # Generating answers per user per minute (burst of the same size), and at once overall:
    # one per CPU core (20 users on 2 cores: final p95 1.9 s with 2 slots, 2.1 s with 4).
    rate_per_minute: int = Field(30, ge=1)
    max_generations: int = Field(default_factory=lambda: os.cpu_count() or 2, ge=1)
    # How long a request waits for a free generation slot before it is told to retry, and how
    # many may wait at once (per server process); past either, 503 with Retry-After.
    queue_timeout_s: float = Field(30.0, gt=0)
    max_queue: int = Field(64, ge=0)
    # A slot is a lease its holder renews every third of this while it generates: a killed
    # process's slots are taken back this many seconds after it died.
    slot_lease_s: float = Field(6.0, gt=0)
    # Per client address: sign-in attempts a minute (wrong keys included); per user:
    # conversations created a minute. Both shared by every process on the store.
    signin_per_minute: int = Field(10, ge=1)
    conversations_per_minute: int = Field(30, ge=1)
    session_hours: float = Field(12.0, gt=0)
    # Send the session cookie only over HTTPS; off by default because the service binds loopback.
    secure_cookies: bool = False


class Settings(BaseSettings):
    """All settings of the assistant. Construct once at the edge (CLI, app) and pass down."""

    model_config = SettingsConfigDict(
        env_prefix="FOLLOWUP_", env_nested_delimiter="__", extra="ignore"
    )

    data_dir: Path = Path(".followup")
    corpus_paths: list[Path] = Field(default_factory=lambda: [Path("corpus")])
    prompts_dir: Path = PACKAGE_DATA / "prompts"
    lexicons_dir: Path = PACKAGE_DATA / "lexicons"
    lexicon_version: int | None = None  # newest when unset
    max_question_chars: int = Field(4000, ge=10)
    index: IndexSettings = Field(default_factory=IndexSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    audit: AuditSettings = Field(default_factory=AuditSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)

    @property
    def index_dir(self) -> Path:
        return self.index.path or self.data_dir / "index"

    @property
    def store_path(self) -> Path:
        return self.data_dir / "followup.db"

    @property
    def audit_key_file(self) -> Path:
        """Outside the data directory, so a copy of the database does not carry its key."""
        default = self.data_dir.resolve().parent / f"{self.data_dir.resolve().name}.audit-key"
        return self.audit.key_file or default
