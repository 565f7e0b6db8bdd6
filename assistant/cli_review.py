"""``followup review``: the reviewer's queue, decisions, publication and audit verification.

Every command authenticates with the person's API key, read from ``FOLLOWUP_API_KEY`` or asked
for (hidden) on the terminal, never from the command line, where ``ps`` would show it to every
local user; and checks their role.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from assistant.config import Settings
from assistant.errors import FollowupError

if TYPE_CHECKING:
    from assistant.review.store import AnswerStore
    from assistant.review.users import User
    from assistant.review.workflow import AnswerDetail

review_app = typer.Typer(
    help="Review answers: queue, approve, edit, reject, comment, publish, verify the audit.",
    no_args_is_help=True,
)

KEY_ENV = "FOLLOWUP_API_KEY"
IdArg = Annotated[str, typer.Argument(help="The answer id.")]
CommentOpt = Annotated[str | None, typer.Option("--comment", help="An optional comment.")]


def _fail(exc: FollowupError) -> NoReturn:
    typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
    raise typer.Exit(2)


def api_key() -> str:
    """The caller's API key: ``FOLLOWUP_API_KEY``, else asked for without echo."""
    key = os.environ.get(KEY_ENV, "").strip()
    return key or str(typer.prompt("API key", hide_input=True))


def _session() -> tuple[AnswerStore, User]:
    """The store and the authenticated person; every command checks their role itself."""
    from assistant.review.store import AnswerStore
    from assistant.review.users import Role, authenticate

    key = api_key()
    store = AnswerStore.from_settings(Settings())
    user = authenticate(store, key.strip())
    user.require(Role.REVIEWER)
    return store, user


@review_app.command("list")
def list_(
    status: Annotated[
        str, typer.Option("--status", help="pending_review, approved, rejected or all.")
    ] = "pending_review",
    limit: Annotated[int, typer.Option("--limit")] = 50,
    offset: Annotated[int, typer.Option("--offset")] = 0,
) -> None:
    """The review queue (oldest first)."""
    from assistant.review.workflow import queue

    try:
        store, _ = _session()
        records = queue(
            store, status=None if status == "all" else status, limit=limit, offset=offset
        )
    except FollowupError as exc:
        _fail(exc)
    for r in records:
        question = textwrap.shorten(r.question, width=70, placeholder="…")
        typer.echo(f"{r.id}\t{r.review_status.value}\t{r.created_at}\t{question}")
    if not records:
        typer.echo(f"no answers with status {status}")


def _show(d: AnswerDetail) -> str:
    r = d.record
    out = [
        f"answer {r.id} — {r.review_status.value} (asked by {d.owner or 'unknown'})",
        f"question: {r.question}",
        f"standalone: {r.standalone_question}",
        f"\nanswer (version {d.versions[-1].version if d.versions else 1}):",
        textwrap.indent(textwrap.fill(r.answer, 96), "  "),
        "\ncited passages:",
    ]
    for c in r.citations:
        out.append(f"  [{c.n}] {c.source_id} — {c.citation or c.title}")
        out.append(textwrap.indent(textwrap.fill(c.passage, 92), "      "))
    out.append("\nversions:")
    for v in d.versions:
        out.append(f"  v{v.version} {v.created_at} by {v.author} sha256 {v.sha256[:16]}…")
        out.extend(f"      finding: {f}" for f in v.findings)
    if d.approval_needs_justification:
        out.append("\nthe current version has verification findings: approving it needs")
        out.append("--justification saying why the text is right.")
    out.append("\ndecisions:")
    for x in d.decisions:
        note = f" — {x.comment}" if x.comment else ""
        out.append(
            f"  {x.at} {x.user} ({x.role}) {x.action} v{x.version}: "
            f"{x.from_status.value} -> {x.to_status.value}{note}"
        )
    out.append(f"\naudit entries: {len(d.audit)}; allowed now: {', '.join(d.allowed_actions)}")
    if d.versions:
        latest = d.versions[-1]
        out.append(f"decide on what you read: --version {latest.version} (sha256 {latest.sha256})")
    return "\n".join(out)


@review_app.command()
def show(answer_id: IdArg) -> None:
    """Question, answer, each cited passage, versions and decisions."""
    from assistant.review.workflow import detail

    try:
        store, _ = _session()
        typer.echo(_show(detail(store, answer_id)))
    except FollowupError as exc:
        _fail(exc)


VersionOpt = Annotated[
    int,
    typer.Option(
        "--version",
        help="The version you read (`review show` prints it); refused if it is no longer "
        "the current one.",
    ),
]
ShaOpt = Annotated[
    str | None,
    typer.Option("--sha256", help="SHA-256 of that version's text (default: as stored for it)."),
]


def _seen_sha256(store: AnswerStore, answer_id: str, version: int, sha256: str | None) -> str:
    """The SHA-256 the decision is bound to: the one given, else version ``version``'s stored
    one (a version's text never changes). An unknown version binds to nothing, so the
    decision is refused naming the current version."""
    if sha256:
        return sha256
    found = [v.sha256 for v in store.versions(answer_id) if v.version == version]
    return found[0] if found else "unknown"


JustifyOpt = Annotated[
    str | None,
    typer.Option(
        "--justification", help="Why the text is right despite its verification findings."
    ),
]


@review_app.command()
def approve(
    answer_id: IdArg,
    version: VersionOpt,
    sha256: ShaOpt = None,
    comment: CommentOpt = None,
    justification: JustifyOpt = None,
) -> None:
    """Approve the version you read, if it is still the current one (never one you wrote;
    findings need a justification)."""
    from assistant.review import workflow

    try:
        store, user = _session()
        digest = _seen_sha256(store, answer_id, version, sha256)
        d = workflow.approve(
            store,
            answer_id,
            user,
            version=version,
            sha256=digest,
            comment=comment,
            justification=justification,
        )
    except FollowupError as exc:
        _fail(exc)
    typer.echo(f"approved answer {answer_id} v{d.version} (sha256 {d.version_sha256}) by {d.user}")


@review_app.command()
def reject(
    answer_id: IdArg,
    version: VersionOpt,
    reason: Annotated[str, typer.Option("--reason", help="Why (required).")],
    sha256: ShaOpt = None,
) -> None:
    """Reject the version you read, if it is still the current one, with a reason."""
    from assistant.review import workflow

    try:
        store, user = _session()
        digest = _seen_sha256(store, answer_id, version, sha256)
        d = workflow.reject(store, answer_id, user, version=version, sha256=digest, reason=reason)
    except FollowupError as exc:
        _fail(exc)
    typer.echo(f"rejected answer {answer_id} v{d.version} by {d.user}: {d.comment}")


@review_app.command()
def edit(
    answer_id: IdArg,
    version: Annotated[
        int, typer.Option("--version", help="The version your text revises (the current one).")
    ],
    text: Annotated[str | None, typer.Option("--text", help="The new answer text.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Read the new text from a file.")
    ] = None,
    comment: CommentOpt = None,
    sha256: ShaOpt = None,
) -> None:
    """Save a new version on top of the version you revised (it stays pending review)."""
    from assistant.errors import InvalidRequestError
    from assistant.review import workflow

    try:
        if (text is None) == (file is None):
            raise InvalidRequestError("Give the new text with exactly one of --text or --file.")
        body = text if text is not None else file.read_text(encoding="utf-8")  # type: ignore[union-attr]
        store, user = _session()
        digest = _seen_sha256(store, answer_id, version, sha256)
        v = workflow.edit(
            store, answer_id, user, version=version, sha256=digest, text=body, comment=comment
        )
    except FollowupError as exc:
        _fail(exc)
    typer.echo(
        f"saved version {v.version} of answer {answer_id} (sha256 {v.sha256}); pending review"
    )
    for finding in v.findings:
        typer.secho(f"finding: {finding}", err=True, fg=typer.colors.YELLOW)


@review_app.command()
def comment(
    answer_id: IdArg,
    text: Annotated[str, typer.Option("--text", help="The comment.")],
) -> None:
    """Comment on an answer without changing its status."""
    from assistant.review import workflow

    try:
        store, user = _session()
        workflow.comment(store, answer_id, user, text=text)
    except FollowupError as exc:
        _fail(exc)
    typer.echo(f"commented on answer {answer_id}")


@review_app.command()
def publish(
    answer_id: IdArg,
    corpus: Annotated[Path, typer.Option("--corpus", help="Corpus folder.")] = Path("corpus"),
) -> None:
    """Write an approved answer as a `submitted` article for the editorial board."""
    from assistant.review.publish import publish as run_publish

    try:
        store, user = _session()
        path = run_publish(store, answer_id, user, corpus)
    except FollowupError as exc:
        _fail(exc)
    typer.echo(f"published answer {answer_id} as {path} (status: submitted)")


@review_app.command()
def verify() -> None:
    """Walk the audit chain and check it against the HMAC key; name the first bad entry."""
    from assistant.review.workflow import verify_audit

    try:
        store, _ = _session()
        report = verify_audit(store, store.audit_key())
    except FollowupError as exc:
        _fail(exc)
    if report.ok:
        typer.echo(f"audit trail verified: {report.entries} entries, chain and head HMAC intact")
        return
    typer.secho(
        f"AUDIT TRAIL FAILED at entry {report.first_bad}: {report.problem} "
        f"({report.entries} entries verified before it)",
        err=True,
        fg=typer.colors.RED,
    )
    raise typer.Exit(1)
