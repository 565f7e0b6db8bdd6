"""``python -m assistant.cli``: the same command as ``followup``."""

from assistant.cli.root import main

main()
