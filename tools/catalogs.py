"""Keep the message catalogs in step with the code: extract, update, compile (Babel).

    python -m tools.catalogs          # extract, merge into the .po files, compile the .mo
    python -m tools.catalogs --check  # exit 1 and list what is untranslated or stale

Messages are the ``_()``, ``N_()`` and ``ngettext()`` strings of the package and of the web
pages' Jinja2 templates, plus the
docstrings of CLI commands (Typer takes a command's help from its docstring; the CLI
translates it when shown). The compiled ``.mo`` files are committed beside the ``.po``
so that an installed iddexi reads them with the stdlib, without Babel.
"""

from __future__ import annotations

import ast
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "iddexi"
LOCALE_DIR = PACKAGE / "locale"
DOMAIN = "iddexi"
LANGUAGES = ("zh_CN", "en")


def _takes_context(node: ast.FunctionDef) -> bool:
    """A root command registered by name (cli/__init__.COMMANDS) takes ``ctx: typer.Context``."""
    if not node.args.args:
        return False
    annotation = node.args.args[0].annotation
    return annotation is not None and ast.unparse(annotation) in {"typer.Context", "Context"}


def _command_docstrings(path: Path) -> list[tuple[str, int]]:
    """Docstrings of commands: functions decorated ``….command(…)``/``….callback(…)`` or
    taking a Typer context."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        decorated = any(
            isinstance(target, ast.Attribute) and target.attr in {"command", "callback"}
            for target in (d.func if isinstance(d, ast.Call) else d for d in node.decorator_list)
        )
        doc = ast.get_docstring(node, clean=True)
        if doc and (decorated or _takes_context(node)):
            found.append((doc, node.lineno))
    return found


def extract() -> Catalog:
    """Every message the package shows, as a template catalog."""
    template = Catalog(project="iddexi", domain=DOMAIN, charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE),
        # the web pages' templates call _() like the code does (Jinja2's own extractor)
        method_map=[("**.py", "python"), ("web/templates/**.html", "jinja2.ext:babel_extract")],
        keywords=DEFAULT_KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        template.add(
            message, None, [(f"iddexi/{filename}", lineno)], auto_comments=comments, context=context
        )
    for path in sorted((PACKAGE / "cli").glob("*.py")):
        for doc, lineno in _command_docstrings(path):
            template.add(doc, None, [(str(path.relative_to(ROOT)), lineno)])
    return template


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(lang: str) -> Catalog:
    path = po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, domain=DOMAIN, project="iddexi")
    with path.open("rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


def write(catalog: Catalog, lang: str) -> None:
    path = po_path(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(
            handle,
            catalog,
            width=100,
            omit_header=False,
            sort_output=False,
            ignore_obsolete=True,
            include_previous=False,
        )
    with path.with_suffix(".mo").open("wb") as handle:
        write_mo(handle, catalog, use_fuzzy=False)


def compiled(lang: str) -> bytes:
    """The .mo the committed .po compiles to."""
    buffer = io.BytesIO()
    write_mo(buffer, read(lang), use_fuzzy=False)
    return buffer.getvalue()


def update() -> None:
    template = extract()
    for lang in LANGUAGES:
        catalog = read(lang)
        catalog.update(template, no_fuzzy_matching=True)
        write(catalog, lang)


def untranslated(lang: str = "zh_CN") -> list[str]:
    """Messages of the code without a translation in ``lang``'s .po."""
    catalog = read(lang)
    missing = []
    for message in extract():
        if not message.id:
            continue
        entry = catalog.get(message.id, context=message.context)
        strings = entry.string if entry is not None else None
        if isinstance(strings, tuple | list):
            ok = all(strings)
        else:
            ok = bool(strings)
        if entry is None or not ok or entry.fuzzy:
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def main(argv: list[str]) -> int:
    if "--check" in argv:
        missing = untranslated()
        for message in missing:
            print(f"untranslated: {message!r}")
        return 1 if missing else 0
    update()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
