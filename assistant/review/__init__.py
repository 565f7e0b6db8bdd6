"""The answer store: conversations, answers, and (later) review decisions and audit."""
