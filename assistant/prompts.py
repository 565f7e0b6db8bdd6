"""Prompt and message templates: versioned text files, never literals in code.

They live in ``assistant/data/prompts/`` and ship as package data.

A file ``NAME.vN.txt`` holds version N of template NAME; the newest version is used unless a
version is asked for. Templates use ``$variable`` placeholders, checked when loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

from assistant.errors import ConfigError

_FILE = re.compile(r"^(?P<name>[a-z0-9_]+)\.v(?P<version>\d+)\.txt$")


@dataclass(frozen=True)
class Prompt:
    name: str
    version: int
    text: str

    @property
    def id(self) -> str:
        return f"{self.name}.v{self.version}"

    @property
    def variables(self) -> set[str]:
        return {
            m.group("named") or m.group("braced")
            for m in Template.pattern.finditer(self.text)
            if m.group("named") or m.group("braced")
        }

    def render(self, **values: str) -> str:
        missing = self.variables - values.keys()
        extra = values.keys() - self.variables
        if missing or extra:
            raise ConfigError(
                f"prompt {self.id}: missing {sorted(missing)}, unexpected {sorted(extra)}"
            )
        return Template(self.text).substitute(values)


def load_prompt(
    folder: Path, name: str, version: int | None = None, expect: set[str] | None = None
) -> Prompt:
    """Load the newest (or the given) version of a template and check its variables."""
    versions = {}
    for path in folder.glob(f"{name}.v*.txt"):
        match = _FILE.match(path.name)
        if match and match.group("name") == name:
            versions[int(match.group("version"))] = path
    if not versions:
        raise ConfigError(f"no prompt template named {name!r} in {folder}")
    chosen = version if version is not None else max(versions)
    if chosen not in versions:
        raise ConfigError(f"prompt {name!r} has no version {chosen} in {folder}")
    prompt = Prompt(name, chosen, versions[chosen].read_text(encoding="utf-8").strip())
    if expect is not None and prompt.variables != expect:
        raise ConfigError(
            f"prompt {prompt.id} uses {sorted(prompt.variables)}, expected {sorted(expect)}"
        )
    return prompt
