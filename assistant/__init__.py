"""Followup: a clinical follow-up question assistant answering only from approved articles."""

__version__ = "0.1.0"
