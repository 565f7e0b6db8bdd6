"""The ``followup`` command line, one module per group of sub-commands.

- ``root``: the ``followup`` app put together from the groups below, and ``main``.
- ``corpus``: ``ingest``. ``answers``: ``ask``, ``chat``, ``articles`` (``stream`` prints an
  answer as it is generated). ``evaluate``: ``eval``. ``serve``: ``serve``.
- ``users``: ``users add|list|disable|enable``.
- ``review``: ``review list|show|approve|reject|edit|comment|publish|verify``;
  ``review_evidence``: ``review recheck|export-cases`` and the re-check ``ingest`` runs.
- ``context``: what the commands open (services, the reviewer's session, the served catalog).
- ``exits``: the exit codes, and the one place a library error becomes ``error: ...`` and one.
"""

from assistant.cli.root import app, main

__all__ = ["app", "main"]
