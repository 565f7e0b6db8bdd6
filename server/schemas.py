"""Request and response bodies of the HTTP API (the OpenAPI schema is generated from these)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.models import AnswerRecord

Audience = Literal["clinician", "patient"]
ArticleId = Field(None, max_length=200, description="Anchor the conversation to this article.")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


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
    question: str = Field(..., description="The question; its length limit is a server setting.")
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
