"""Answers from the sample corpus, through the real pipeline (real Chroma, BM25 and SQLite)."""

from __future__ import annotations

import re

import pytest

from assistant.citations import grounded, quantities, sentences
from assistant.errors import InvalidRequestError, NotFoundError
from assistant.models import AnswerRecord, ReviewStatus
from assistant.pipeline import answer, stream_answer
from assistant.services import Services

IN_SCOPE = [
    "What dose of mebendazole for a 14 kg child with roundworm?",
    "At what dose does naltrexone change from partial to full opioid blockade?",
    "How much fluid is instilled into the bladder for umbilical cord prolapse?",
    "Is polyethylene glycol safe for constipation in pregnancy?",
    "What is the oral cefuroxime dose for sinusitis?",
    "When is high-flow nasal cannula preferred over noninvasive ventilation?",
    "Does pembrolizumab work in PD-L1 positive metastatic triple-negative breast cancer?",
]
OUT_OF_SCOPE = [
    "What is the capital of France?",
    "How do I treat a sprained ankle?",
    "What is the best lasagne recipe?",
]
# Facts held only by the under_review and submitted articles (see corpus/README.md).
UNPUBLISHED = {
    "albendazole-ascariasis-alternative": (
        "What single dose of albendazole treats ascariasis in children?",
        re.compile(r"albendazole", re.I),
    ),
    "naltrexone-bupropion-weight-loss": (
        "How much naltrexone and bupropion does each Contrave tablet contain?",
        re.compile(r"contrave|8 mg/90 mg|bupropion 90 mg", re.I),
    ),
}


def assert_well_formed(record: AnswerRecord, services: Services) -> None:
    """The invariants every answer holds, whatever was asked."""
    assert record.disclaimer == services.disclaimer and record.disclaimer
    assert record.review_status is ReviewStatus.PENDING
    retrieved = {hit.chunk_id for hit in record.retrieval}
    catalog = services.catalog
    for citation in record.citations:
        assert citation.chunk_id in retrieved, "cites a passage not retrieved for this request"
        assert (doc := catalog.document(citation.source_id)) and doc.status == "approved"
        chunk = catalog.chunk(citation.chunk_id)
        assert chunk and citation.passage and citation.passage.split()[0] in chunk.text
    numbers_in_text = {int(n) for n in re.findall(r"\[(\d+)\]", record.answer)}
    assert numbers_in_text == {c.n for c in record.citations}
    assert services.store.get_answer(record.id) == record, "not persisted as returned"


@pytest.mark.parametrize("question", IN_SCOPE)
def test_in_scope_questions_are_answered_with_citations(services: Services, question: str) -> None:
    record = answer(services, question)
    assert_well_formed(record, services)
    assert not record.refused, record.findings
    assert record.citations
    assert record.findings == []


def test_every_number_in_an_answer_is_in_its_cited_passage(services: Services) -> None:
    checked = 0
    for question in IN_SCOPE:
        record = answer(services, question)
        passages = {c.n: c.passage for c in record.citations}
        for sentence in sentences(record.answer):
            cited = [passages[int(n)] for n in re.findall(r"\[(\d+)\]", sentence)]
            for quantity in quantities(sentence):
                assert cited, f"uncited number in {sentence!r}"
                assert grounded(quantity, cited), f"{quantity!r} not in cited passage: {sentence!r}"
                checked += 1
    assert checked >= 10  # the dose questions really do produce numbers


def test_dose_answer_quotes_the_dose(services: Services) -> None:
    record = answer(services, "What dose of mebendazole for a 14 kg child with roundworm?")
    assert "500 mg" in record.answer or "100 mg" in record.answer


@pytest.mark.parametrize("question", OUT_OF_SCOPE)
def test_out_of_scope_questions_are_refused(services: Services, question: str) -> None:
    record = answer(services, question)
    assert_well_formed(record, services)
    assert record.refused and record.citations == []
    assert "do not" in record.answer and "cannot answer" in record.answer


@pytest.mark.parametrize("article_id", sorted(UNPUBLISHED))
def test_unapproved_facts_are_never_returned_or_cited(services: Services, article_id: str) -> None:
    question, fact = UNPUBLISHED[article_id]
    catalog = services.catalog
    assert catalog.document(article_id) is None
    assert not any(fact.search(chunk.text) for chunk in catalog.chunks())
    record = answer(services, question)
    assert_well_formed(record, services)
    cited_text = " ".join(c.passage for c in record.citations)
    assert not fact.search(cited_text)
    assert not fact.search(record.answer.replace(question, "")) or record.refused


def test_question_about_a_term_no_approved_source_mentions_is_refused(services: Services) -> None:
    record = answer(services, "What single dose of albendazole treats ascariasis in children?")
    assert record.refused
    assert "albendazole" in record.answer  # says what it could not find
    assert any("albendazole" in f for f in record.findings)


def test_follow_up_is_rewritten_and_both_forms_stored(services: Services) -> None:
    first = answer(services, "At what dose does naltrexone change from partial to full blockade?")
    follow = answer(services, "and at 50 mg?", conversation_id=first.conversation_id)
    assert follow.question == "and at 50 mg?"
    assert "naltrexone" in follow.standalone_question.lower()
    assert "50 mg" in follow.standalone_question
    assert not follow.refused
    assert "50 mg" in follow.answer
    stored = services.store.conversation_answers(first.conversation_id)
    assert [a.id for a in stored] == [first.id, follow.id]


def test_article_anchored_conversation_favours_the_article(services: Services) -> None:
    article = services.catalog.article("mebendazole-ascariasis-child")
    assert article is not None
    favoured = {article.id, *(r.id for r in article.references)}
    record = answer(
        services, "What should be done if the child is not cured?", article_id=article.id
    )
    assert record.anchor_article_id == article.id
    assert record.citations and record.citations[0].source_id in favoured
    assert article.title in record.standalone_question
    conversation = services.store.get_conversation(record.conversation_id)
    assert conversation.anchor_article_id == article.id


def test_anchor_must_be_an_approved_article(services: Services) -> None:
    with pytest.raises(NotFoundError, match="albendazole-ascariasis-alternative"):
        answer(services, "dose?", article_id="albendazole-ascariasis-alternative")


@pytest.mark.parametrize("bad", ["", "   ", "x" * 5000, "dose\x00?", "what\x1b[31m dose"])
def test_unusable_questions_are_rejected_with_a_message(services: Services, bad: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        answer(services, bad)
    assert str(caught.value)


def test_stream_persists_before_the_final_event(services: Services) -> None:
    events = stream_answer(services, "Is polyethylene glycol safe in pregnancy?")
    kinds = []
    for event in events:
        kinds.append(event.type)
        if event.type == "final":
            record = event.record  # type: ignore[union-attr]
            assert services.store.get_answer(record.id) == record
    assert kinds[0] == "sources" and kinds[-1] == "final"
