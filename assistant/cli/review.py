"""``followup review``: the reviewer's queue, decisions, publication and audit verification.

Every command authenticates with the person's API key, read from ``FOLLOWUP_API_KEY`` or asked
for (hidden) on the terminal, never from the command line, where ``ps`` would show it to every
local user; and checks their role.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.cli.context import reviewer_session, served_catalog
from assistant.cli.exits import CHECK_FAILED
from assistant.config import Settings

if TYPE_CHECKING:
    from assistant.index.base import Catalog
    from assistant.models import AnswerRecord
    from assistant.review.store import AnswerStore
    from assistant.review.workflow import AnswerDetail

app = typer.Typer()

IdArg = Annotated[str, typer.Argument(help="The answer id.")]
CommentOpt = Annotated[str | None, typer.Option("--comment", help="An optional comment.")]


@app.command("list")
def list_(
    status: Annotated[
        str, typer.Option("--status", help="pending_review, approved, rejected or all.")
    ] = "pending_review",
    limit: Annotated[int, typer.Option("--limit")] = 50,
    offset: Annotated[int, typer.Option("--offset")] = 0,
    changed: Annotated[
        bool,
        typer.Option("--changed", help="Only answers whose evidence changed since review."),
    ] = False,
) -> None:
    """The review queue (oldest first)."""
    from assistant.review.fingerprints import shown
    from assistant.review.workflow import queue

    store, _ = reviewer_session()
    wanted = None if status == "all" else status
    records = queue(store, status=wanted, limit=limit, offset=offset, changed=changed)
    served = _served()
    records = [shown(r, served) for r in records]  # never "approved" on changed evidence
    for r in records:
        question = textwrap.shorten(r.question, width=70, placeholder="…")
        state = f"\t{r.evidence.state}" if r.evidence is not None else ""
        typer.echo(f"{r.id}\t{r.review_status.value}\t{r.created_at}\t{question}{state}")
    if not records:
        typer.echo(
            f"no answers with status {status}" + (" and changed evidence" if changed else "")
        )


def _show(d: AnswerDetail) -> str:
    r = d.record
    out = [
        f"answer {r.id} — {r.review_status.value} (asked by {d.owner or 'unknown'})",
        f"question: {r.question}",
        f"standalone: {r.standalone_question}",
        f"\nanswer (version {d.versions[-1].version if d.versions else 1}):",
        textwrap.indent(textwrap.fill(r.answer, 96), "  "),
        *_evidence_lines(r),
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


def _served() -> Catalog | None:
    """The generation served now, which stored answers are shown against."""
    return served_catalog(Settings())


def _evidence_lines(r: AnswerRecord) -> list[str]:
    """The notice of changed evidence, with what changed in each passage."""
    from assistant.review.fingerprints import diff_summary

    notice = r.evidence
    if notice is None:
        return []
    out = ["", f"EVIDENCE CHANGED ({notice.state}): {notice.message}"]
    for c in notice.changes:
        what = "withdrawn from the approved corpus" if c.passage is None else diff_summary(c.diff)
        out.append(f"  [{c.n}] {c.source_id}: {what}")
    out.extend(f"  finding: {f}" for f in notice.findings)
    if notice.published_article:
        out.append(f"  published as article {notice.published_article}: review it too")
    return out


@app.command()
def show(answer_id: IdArg) -> None:
    """Question, answer, each cited passage, versions and decisions."""
    from assistant.review.fingerprints import shown
    from assistant.review.workflow import detail

    store, _ = reviewer_session()
    found = detail(store, answer_id)
    found.record = shown(found.record, _served())
    typer.echo(_show(found))


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


@app.command()
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

    store, user = reviewer_session()
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
    typer.echo(f"approved answer {answer_id} v{d.version} (sha256 {d.version_sha256}) by {d.user}")


@app.command()
def reject(
    answer_id: IdArg,
    version: VersionOpt,
    reason: Annotated[str, typer.Option("--reason", help="Why (required).")],
    sha256: ShaOpt = None,
) -> None:
    """Reject the version you read, if it is still the current one, with a reason."""
    from assistant.review import workflow

    store, user = reviewer_session()
    digest = _seen_sha256(store, answer_id, version, sha256)
    d = workflow.reject(store, answer_id, user, version=version, sha256=digest, reason=reason)
    typer.echo(f"rejected answer {answer_id} v{d.version} by {d.user}: {d.comment}")


@app.command()
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

    if (text is None) == (file is None):
        raise InvalidRequestError("Give the new text with exactly one of --text or --file.")
    body = text if text is not None else _read_edit(file)
    store, user = reviewer_session()
    digest = _seen_sha256(store, answer_id, version, sha256)
    v = workflow.edit(
        store, answer_id, user, version=version, sha256=digest, text=body, comment=comment
    )
    typer.echo(
        f"saved version {v.version} of answer {answer_id} (sha256 {v.sha256}); pending review"
    )
    for finding in v.findings:
        typer.secho(f"finding: {finding}", err=True, fg=typer.colors.YELLOW)


@app.command()
def comment(
    answer_id: IdArg,
    text: Annotated[str, typer.Option("--text", help="The comment.")],
) -> None:
    """Comment on an answer without changing its status."""
    from assistant.review import workflow

    store, user = reviewer_session()
    workflow.comment(store, answer_id, user, text=text)
    typer.echo(f"commented on answer {answer_id}")


@app.command()
def publish(
    answer_id: IdArg,
    corpus: Annotated[Path, typer.Option("--corpus", help="Corpus folder.")] = Path("corpus"),
) -> None:
    """Write an approved answer as a `submitted` article for the editorial board."""
    from assistant.review.publish import publish as run_publish

    store, user = reviewer_session()
    path = run_publish(store, answer_id, user, corpus)
    typer.echo(f"published answer {answer_id} as {path} (status: submitted)")


@app.command()
def verify() -> None:
    """Walk the audit chain and check it against the HMAC key; name the first bad entry."""
    from assistant.review.workflow import verify_audit

    store, _ = reviewer_session()
    report = verify_audit(store, store.audit_key())
    if report.ok:
        typer.echo(f"audit trail verified: {report.entries} entries, chain and head HMAC intact")
        return
    typer.secho(
        f"AUDIT TRAIL FAILED at entry {report.first_bad}: {report.problem} "
        f"({report.entries} entries verified before it)",
        err=True,
        fg=typer.colors.RED,
    )
    raise typer.Exit(CHECK_FAILED)


def _read_edit(path: Path | None) -> str:
    """The edited text from ``--file``: a missing or unreadable file is a clear error."""
    from assistant.errors import InvalidRequestError

    assert path is not None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidRequestError(f"Cannot read the edited text from {path}: {exc}") from exc
