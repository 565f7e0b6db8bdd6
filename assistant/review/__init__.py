"""The answer store and human review: versions, decisions, audit trail, publication.

``store`` (AnswerStore over ``db``: SQLite, or PostgreSQL in ``pg``), ``migrations``,
``users`` (roles, API keys), ``workflow`` (the review state machine), ``audit`` (hash chain
with HMAC), ``crosscheck`` (working tables against the trail), ``publish`` (approved answers
as submitted corpus articles).
"""
