"""Click's own words (Usage, Options, No such option …) in the reader's language.

Typer bundles its own Click (``typer._click``) with the English words written in place,
no gettext; only ``typer.core`` still calls ``gettext`` through its module-level ``_``
(Options, Arguments, Commands, No such command, default, required). So:

- ``typer.core._`` is pointed at our catalog (a private name: tests/test_i18n.py fails
  loudly if Typer stops calling it);
- the usage prefix and the help option's text are set by our command classes;
- a refusal's message is matched against the few sentences Click builds and said again
  in our words (``translate_click_message``); anything unmatched passes through as is.
"""

from __future__ import annotations

import re
from typing import Any

import typer.core

from iddexi.i18n import N_, _


def _typer_gettext(message: str) -> str:
    return _(message)


def install() -> None:
    """Let Typer's own strings go through our catalog."""
    typer.core._ = _typer_gettext  # type: ignore[attr-defined]


# Typer's strings, marked here so extraction puts them in our catalog
TYPER_WORDS = (
    N_("Options"),
    N_("Arguments"),
    N_("Commands"),
    N_("No such command {name!r}."),
    N_("Missing command."),
    N_("default: {default}"),
    N_("required"),
    N_("Aborted!"),
    N_("(dynamic)"),
    N_("env var: {var}"),
)

USAGE = N_("Usage: ")
HELP_OPTION = N_("Show this message and exit.")

# (Click's English sentence, our message); the groups fill the placeholders
# compiled on the first refusal, not on every start
_SENTENCES: tuple[tuple[str, str], ...] = tuple(
    (pattern, msgid)
    for pattern, msgid in (
        (
            r"^No such option: (?P<name>\S+) \(Possible options: (?P<options>.*)\)$",
            N_("No such option: {name} (did you mean {options}?)"),
        ),
        (r"^No such option: (?P<name>\S+)$", N_("No such option: {name}")),
        (r"^Missing argument (?P<name>.+?)\.(?P<rest>.*)$", N_("Missing argument {name}.")),
        (r"^Missing option (?P<name>.+?)\.(?P<rest>.*)$", N_("Missing option {name}.")),
        (r"^Missing parameter:? (?P<name>.+?)\.?$", N_("Missing parameter {name}.")),
        (
            r"^Invalid value for (?P<name>.+?): (?P<message>.*)$",
            N_("Invalid value for {name}: {message}"),
        ),
        (r"^Invalid value: (?P<message>.*)$", N_("Invalid value: {message}")),
        (
            r"^Got unexpected extra arguments? \((?P<args>.*)\)$",
            N_("Got unexpected extra arguments ({args})"),
        ),
        (
            r"^Option (?P<name>'.+?') requires an argument\.$",
            N_("Option {name} requires an argument."),
        ),
        (
            r"^Option (?P<name>'.+?') requires (?P<count>\d+) arguments\.$",
            N_("Option {name} requires {count} arguments."),
        ),
        (
            r"^Option (?P<name>'.+?') does not take a value\.$",
            N_("Option {name} does not take a value."),
        ),
        (r"^(?P<value>'.*') is not a valid integer\.?$", N_("{value} is not a whole number.")),
        (r"^(?P<value>'.*') is not a valid float\.?$", N_("{value} is not a number.")),
        (r"^(?P<value>'.*') is not a valid boolean\.?$", N_("{value} is not yes or no.")),
        (
            r"^(?P<value>\S+) is not in the range (?P<range>.*)\.$",
            N_("{value} is not in the range {range}."),
        ),
        (
            r"^(?P<value>'.*') does not match the formats? (?P<formats>.*)\.$",
            N_("{value} does not match the format {formats}."),
        ),
        (
            r"^(?P<kind>File|Directory|Path) (?P<name>'.*') does not exist\.$",
            N_("{name} does not exist."),
        ),
        (
            r"^(?P<kind>File|Directory|Path) (?P<name>'.*') is a directory\.$",
            N_("{name} is a directory."),
        ),
        (r"^(?P<kind>File|Directory|Path) (?P<name>'.*') is a file\.$", N_("{name} is a file.")),
    )
)


def translate_click_message(message: str) -> str:
    """One of Click's English sentences in the reader's language; others unchanged."""
    for pattern, msgid in _SENTENCES:
        match = re.match(pattern, message, re.S)
        if match is None:
            continue
        fields: dict[str, Any] = match.groupdict()
        if "message" in fields:
            fields["message"] = translate_click_message(fields["message"])
        return _(msgid).format(**fields)
    return message
