"""Understand: validate the question, find or start its conversation, make it standalone
and read what it asks (concepts, parts)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

from assistant.condense import Condenser, changes_subject, condense, leans_on, needs_context
from assistant.errors import InvalidRequestError, NotFoundError
from assistant.index.base import Catalog
from assistant.question_parts import with_parts
from assistant.review.store import AnswerStore
from assistant.safe_text import check_question
from assistant.stages.data import Ask, Turn
from assistant.understand import GENERIC_WORDS, ConceptKind, Understander
from assistant.wording import AUDIENCES


class Serving(Protocol):
    """What holds the serving catalog (a retriever: it may reload a newer generation)."""

    @property
    def catalog(self) -> Catalog: ...


@dataclass(frozen=True)
class Understand:
    conversations: AnswerStore
    index: Serving
    understander: Understander
    max_question_chars: int
    condenser: Condenser | None = None  # a model's rewrite of follow-ups; rule-based when None

    def __call__(self, ask: Ask) -> Turn:
        """The turn, each question of the message split into its parts."""
        turn = self.read(ask)
        turn.understanding = with_parts(turn.understanding, self.understander.concepts)
        return turn

    def read(self, ask: Ask) -> Turn:
        """The turn with the message's questions as asked (not split into parts)."""
        started = time.perf_counter()
        question = check_question(ask.question, self.max_question_chars)
        if ask.audience not in AUDIENCES:
            raise InvalidRequestError(f"audience must be one of {', '.join(AUDIENCES)}")
        store = self.conversations
        if ask.conversation_id is not None:
            conversation = store.get_conversation(ask.conversation_id)
            if ask.owner is not None and conversation.owner not in (None, ask.owner):
                raise NotFoundError(f"No conversation {ask.conversation_id!r}.")
        else:
            self.anchor(ask.article_id)  # refuse an unknown anchor before creating anything
            conversation = store.create_conversation(
                owner=ask.owner, anchor_article_id=ask.article_id, audience=ask.audience
            )
        topic, favour = self.anchor(conversation.anchor_article_id)
        history = store.conversation_answers(conversation.id)
        understander = self.understander
        understanding = understander.understand(question, has_context=bool(history or topic))
        # Condensed from the clinical part of the message (typos fixed, injections removed).
        asked = understanding.clinical or question
        said = [history[-1].question, history[-1].answer] if history else [topic or ""]
        leans = not understanding.names_subject and leans_on(asked, said, GENERIC_WORDS)
        # An abbreviation read only from a general list ("GP") names nothing for certain.
        named = any(c.essential or c.kind is not ConceptKind.TERM
                    for q in understanding.questions for c in q.concepts)  # fmt: skip
        drifted = changes_subject(asked, said, GENERIC_WORDS, named)
        if drifted:
            standalone = asked
        elif self.condenser is not None:
            pairs = [(a.standalone_question, a.answer) for a in history]
            standalone = self.condenser(asked, pairs, topic, leans=leans)
        else:
            earlier_questions = [a.standalone_question for a in history]
            standalone = condense(asked, earlier_questions, topic, leans=leans)
        earlier = history[-1].standalone_question if history else topic
        if earlier and not drifted and (leans or needs_context(asked)):
            said_before = history[-1].question if history else None
            understanding = understanding.following(understander.carried(earlier, said_before))
        timings = {"condense": (time.perf_counter() - started) * 1000}
        search = understanding.map(standalone)
        return Turn(
            question,
            standalone,
            conversation,
            history,
            favour,
            understanding,
            search,
            timings,
            ask.audience,
        )

    def anchor(self, article_id: str | None) -> tuple[str | None, frozenset[str]]:
        """Title and favoured document ids (the article and its cited sources) of an anchor."""
        if article_id is None:
            return None, frozenset()
        doc = self.index.catalog.document(article_id)
        if doc is None or not doc.is_article:
            raise NotFoundError(
                f"No approved article {article_id!r}; list articles with `followup articles`."
            )
        return doc.title, frozenset({doc.id, *(r.id for r in doc.references)})
