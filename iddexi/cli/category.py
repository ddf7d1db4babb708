"""`iddexi category …`: what was sold, with Chinese and English labels."""

from __future__ import annotations

from typing import Annotated

import typer

from iddexi.cli.common import App, JsonOption, ledger, print_json
from iddexi.i18n import N_, _

app = App(help=_("Categories of sales: meat 冬储肉, dairy 奶制品, craft 非遗手工艺 …"))


@app.command("add")
def add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help=_("Short code, lower case, e.g. fish."))],
    zh: Annotated[str, typer.Option("--zh", help=_("Chinese label, e.g. 冬捕鱼."))],
    en: Annotated[str, typer.Option("--en", help=_("English label, e.g. Winter fish."))],
    alias: Annotated[
        list[str] | None, typer.Option("--alias", help=_("Another name; repeat for more."))
    ] = None,
) -> None:
    """Add a category.  Example: iddexi category add fish --zh 冬捕鱼 --en "Winter fish" --alias 鱼"""
    category = ledger(ctx).add_category(code, zh, en, alias or [], source=f"category add {code}")
    typer.echo(
        _("Added category {code} ({zh} / {en}).").format(
            code=category.code, zh=category.label_zh, en=category.label_en
        )
    )


@app.command("list")
def list_(ctx: typer.Context, json: JsonOption = False) -> None:
    """List the categories and the names they answer to.  Example: iddexi category list"""
    categories = ledger(ctx).categories()
    if json:
        print_json([c.as_json() for c in categories])
        return
    from iddexi.render.tables import print_table

    print_table(
        _("Categories"),
        [N_("code"), "中文", "English", N_("also accepted")],
        [(c.code, c.label_zh, c.label_en, ", ".join(c.aliases)) for c in categories],
    )
