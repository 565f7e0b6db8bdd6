"""The stages of answering one question, in order:

understand -> retrieve -> assess -> generate -> verify -> decide -> persist

Each stage is a small frozen dataclass holding only the dependencies it needs, called over
plain typed data (:mod:`assistant.stages.data`). They are built once, at start-up, by
:func:`assistant.compose.compose`; :mod:`assistant.pipeline` runs them in order, once each.
"""
