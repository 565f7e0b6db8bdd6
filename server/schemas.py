"""Request and response bodies of the HTTP API (the OpenAPI schema is generated from these)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.json_schema import JsonDict

from assistant.config import Settings
from assistant.models import AnswerRecord
from assistant.safe_text import QUESTION_PATTERN

Audience = Literal["clinician", "patient"]

# What the library accepts, stated in the schema so clients (and schemathesis) can tell valid
# input from invalid. The library still validates, with messages that name the problem.
QUESTION_CHARS = int(Settings.model_fields["max_question_chars"].default)
QUESTION_RULES: JsonDict = {
    "minLength": 1,
    "maxLength": QUESTION_CHARS,
    # Some visible text; no control characters but tab and newlines; no lone surrogates.
    "pattern": QUESTION_PATTERN,
}
NOT_BLANK: JsonDict = {"pattern": r"\S"}


# The rules on a string inside a union (``str | list[...]``): beside ``anyOf`` they would not
# reach the string branch for every client and generator.
QuestionText = Annotated[str, Field(json_schema_extra=QUESTION_RULES)]


def question_field(description: str) -> Any:
    return Field(..., description=description, json_schema_extra=QUESTION_RULES)


def text_field(max_length: int, description: str, *, required: bool = True) -> Any:
    default = ... if required else None
    return Field(
        default, max_length=max_length, description=description, json_schema_extra=NOT_BLANK
    )


ArticleId = Field(None, max_length=200, description="Anchor the conversation to this article.")


class Strict(BaseModel):
    """Request bodies: unknown fields and loose types (``"1"`` for 1, ``0`` for false) are 422."""

    model_config = ConfigDict(extra="forbid", strict=True)


SHA256_HEX = r"^[0-9a-f]{64}$"


def _whole_number(value: object) -> object:
    # JSON has one number type: 2.0 is the integer 2 (JSON Schema agrees), "2" still is not.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


WholeNumber = Annotated[int, BeforeValidator(_whole_number)]


class SeenVersion(Strict):
    """The version a review decision is made on, as the reviewer saw it: a decision on any other
    version (someone saved an edit meanwhile) is refused with 409 naming the current one."""

    version: WholeNumber = Field(
        ..., ge=1, le=1_000_000, description="The version number you read."
    )
    sha256: str = Field(
        ..., pattern=SHA256_HEX, description="SHA-256 (hex) of that version's exact text."
    )


class LoginIn(Strict):
    api_key: str = Field(..., min_length=1, max_length=200, description="Your personal API key.")


class Me(BaseModel):
    name: str
    role: str
    csrf_token: str | None = Field(None, description="Send as X-CSRF-Token on unsafe requests.")


class ConversationIn(Strict):
    article_id: str | None = ArticleId
    audience: Audience = "clinician"


class MessageIn(Strict):
    question: str = question_field("The question (the server's length limit may differ).")
    audience: Audience | None = Field(None, description="Language for this answer.")


class ConversationOut(BaseModel):
    id: str
    created_at: str
    anchor_article_id: str | None
    audience: str
    answers: list[AnswerRecord] = Field(default_factory=list)


class ReferenceOut(BaseModel):
    n: int
    id: str
    citation: str
    url: str | None = None


class ArticleSummary(BaseModel):
    id: str
    title: str
    question: str | None = None
    audience: str
    last_updated: str | None = None
    status: str


class ArticleOut(ArticleSummary):
    body: str = Field(..., description="Markdown with [n] citation markers.")
    references: list[ReferenceOut]
    related_questions: list[str]
    disclaimer: str


class Health(BaseModel):
    status: str
    detail: str | None = None
    corpus_version: str | None = None
    documents: int | None = None


class ErrorDetail(BaseModel):
    type: str
    message: str = Field(..., description="What went wrong and what to do about it.")


class ErrorBody(BaseModel):
    error: ErrorDetail


def _error(description: str) -> dict[str, object]:
    return {"model": ErrorBody, "description": description}


# Documented on every API route so clients (and schemathesis) know every answer they can get.
ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    400: _error("Malformed request"),
    401: _error("No valid API key or session"),
    403: _error("Role not allowed, or missing CSRF token"),
    404: _error("Not found (or not yours)"),
    409: _error("Conflicts with the current state (e.g. deciding a decided answer)"),
    413: _error("Request body too large"),
    422: _error("Invalid request: what is wrong is named in the message"),
    429: _error("Rate limit reached; see Retry-After"),
    503: _error("Not ready (no index) or busy; retry"),
}
