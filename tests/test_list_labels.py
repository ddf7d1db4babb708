"""`sale list` and `stall list` name a category as the reader's language does; --json keeps the code."""

from __future__ import annotations

import json


def test_lists_show_the_category_label_in_the_readers_language(run, market, monkeypatch):
    market.add_sale("2025-26:1", "M01", "meat", 980_000)
    for args in (("stall", "list"), ("sale", "list", "2025-26:1")):
        english = run(*args)
        assert english.exit_code == 0, english.stderr
        assert "Winter-storage meat" in english.stdout
        assert "│ meat " not in english.stdout  # the bare code
        codes = json.loads(run(*args, "--json").stdout)
        assert "meat" in {row.get("category") for row in codes}

    monkeypatch.setenv("IDDEXI_LANG", "zh")
    chinese = run("stall", "list")
    assert chinese.exit_code == 0, chinese.stderr
    assert "冬储肉" in chinese.stdout and "│ meat " not in chinese.stdout
