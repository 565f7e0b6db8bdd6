"""``followup ask``, ``followup chat`` and ``followup articles``: answering on the terminal."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.cli.context import open_composed
from assistant.cli.exits import ERROR, report
from assistant.errors import FollowupError

if TYPE_CHECKING:
    from assistant.compose import Composed

app = typer.Typer()

ArticleOpt = Annotated[
    str | None, typer.Option("--article", help="Start from this approved article (its id).")
]
ConversationOpt = Annotated[
    str | None, typer.Option("--conversation", help="Continue this conversation (its id).")
]
AudienceOpt = Annotated[str, typer.Option("--audience", help="clinician or patient.")]


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question to answer.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole answer record as JSON.")
    ] = False,
    article: ArticleOpt = None,
    conversation: ConversationOpt = None,
    audience: AudienceOpt = "clinician",
) -> None:
    """Answer one question from the approved corpus (stored pending human review)."""
    from assistant.cli.stream import stream_to_terminal
    from assistant.pipeline import Ask, answer

    asked = Ask(question, conversation_id=conversation, article_id=article, audience=audience)
    pipeline = open_composed().pipeline
    if not as_json:  # text is streamed as it is generated, then the verified answer
        stream_to_terminal(pipeline, asked)
        return
    record = answer(pipeline, asked)
    typer.echo(record.model_dump_json(indent=2))


def _check_start(composed: Composed, article: str | None, conversation: str | None) -> None:
    """Refuse an unknown article or conversation before any question is read."""
    from assistant.errors import NotFoundError

    if article is not None:
        doc = composed.catalog.document(article)
        if doc is None or not doc.is_article:
            raise NotFoundError(
                f"No approved article {article!r}; list articles with `followup articles`."
            )
    if conversation is not None:
        composed.store.get_conversation(conversation)


@app.command()
def chat(
    article: ArticleOpt = None,
    conversation: ConversationOpt = None,
    audience: AudienceOpt = "clinician",
) -> None:
    """A conversation on the terminal: follow-ups are understood in context. Ctrl-D ends it.

    A question that fails is reported and the conversation goes on; the command then exits 2.
    """
    from assistant.cli.stream import stream_to_terminal
    from assistant.pipeline import Ask

    composed = open_composed()
    _check_start(composed, article, conversation)
    from assistant.safe_text import reconfigure_stdin

    reconfigure_stdin()  # undecodable bytes are refused per line, not a traceback
    interactive = sys.stdin.isatty()
    if interactive:
        typer.echo("Ask a question (Ctrl-D to finish).")
    failed = 0
    while True:
        if interactive:
            typer.echo("> ", nl=False)
        line = sys.stdin.readline()
        if not line:
            break
        if not line.strip():
            continue
        try:
            asked = Ask(line, conversation_id=conversation, article_id=article, audience=audience)
            record = stream_to_terminal(composed.pipeline, asked)
        except FollowupError as exc:
            report(exc)  # the conversation goes on
            failed += 1
            continue
        conversation = record.conversation_id
        typer.echo("")
    if conversation:
        typer.echo(f"conversation {conversation}")
    if failed:
        typer.secho(f"error: {failed} question(s) failed (see above)", err=True, fg="red")
        raise typer.Exit(ERROR)


@app.command()
def articles() -> None:
    """List the approved articles a conversation can start from."""
    catalog = open_composed().catalog
    from assistant.safe_text import terminal_safe

    for doc in catalog.articles():
        typer.echo(terminal_safe(f"{doc.id}\t{doc.title}"))
