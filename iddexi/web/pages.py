"""Jinja templates of the web pages and the printable cards, autoescaped.

Templates write every word through the ``_`` they are given, so a page speaks the
language chosen for its request.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from iddexi.ledger.values import format_yuan


@cache
def _environment():  # noqa: ANN202 - jinja2 is imported lazily
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("iddexi.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["yuan"] = format_yuan
    return env


def render(name: str, translate: Callable[[str], str], **context: object) -> str:
    return _environment().get_template(name).render(_=translate, **context)
