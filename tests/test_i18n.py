"""Chinese first: the catalogs are complete, a Chinese run speaks Chinese, English on request.

The rest of the suite runs in English (conftest sets IDDEXI_LANG=en); these tests choose
the language themselves.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer.core

from iddexi import i18n
from tools import catalogs

ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------- the catalogs


def test_every_message_of_the_code_has_a_chinese_translation() -> None:
    """Extraction runs here: a new _() string without a zh_CN msgstr fails this test."""
    assert catalogs.untranslated("zh_CN") == []


@pytest.mark.parametrize("lang", catalogs.LANGUAGES)
def test_the_committed_mo_is_the_compiled_po(lang: str) -> None:
    """The .mo read at run time (without Babel) says what the reviewed .po says."""
    committed = catalogs.po_path(lang).with_suffix(".mo").read_bytes()
    assert committed == catalogs.compiled(lang), "run `python -m tools.catalogs`"


def test_translations_keep_every_placeholder() -> None:
    """A translation that drops or renames a {placeholder} would raise at .format()."""
    wrong = []
    for message in catalogs.read("zh_CN"):
        if not message.id or not message.string:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        target = message.string if isinstance(message.string, str) else message.string[0]
        fields = sorted(re.findall(r"\{[^{}]*\}", source))
        if fields != sorted(re.findall(r"\{[^{}]*\}", target)):
            wrong.append(source)
    assert wrong == []


# ---------------------------------------------------------------- choosing the language


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "zh_CN"),
        ({"LANG": "C.UTF-8"}, "zh_CN"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, "zh_CN"),
        ({"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"}, "en"),
        ({"LC_ALL": "zh_CN.UTF-8", "IDDEXI_LANG": "en"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
    ],
)
def test_language_comes_from_iddexi_lang_then_the_locale_else_chinese(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    for name in ("IDDEXI_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert i18n.language() == expected


def run_iddexi(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"IDDEXI_LANG", "LC_ALL", "LANG"}}
    return subprocess.run(
        [sys.executable, "-m", "iddexi", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**base, "COLUMNS": "100", **(env or {})},
        timeout=120,
    )


def test_lang_option_beats_the_environment(ledger_path: Path) -> None:
    english = run_iddexi("--lang", "en", "sale", "add", env={"IDDEXI_LANG": "zh"})
    assert english.stderr.startswith("Error: Missing argument 'session'")
    chinese = run_iddexi("--lang", "zh", "sale", "add", env={"IDDEXI_LANG": "en"})
    assert chinese.stderr.startswith("错误：缺少参数 'session'")
    assert chinese.returncode == english.returncode == 1


def test_an_unknown_language_is_refused_in_the_default_one(run) -> None:
    result = run("--lang", "fr", "init")
    assert result.exit_code == 1
    assert "'fr' is not a language we speak: use zh or en" in result.stderr


def test_a_chinese_locale_without_iddexi_lang_gives_chinese(ledger_path: Path) -> None:
    done = run_iddexi("season", "list", env={"LANG": "zh_CN.UTF-8"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "季：尚无记录"


# ---------------------------------------------------------------- no English left in Chinese

# what may stay ASCII in a Chinese text: code, options, placeholders, examples, paths
_ALLOWED = [
    r"示例：.*$",  # an example is a command line
    r"\biddexi(?: [a-z]+)*",  # a command path
    r"`[^`]*`",
    r"\[[^\]]*\]",
    r"<[^>]*>",
    r"\{[^}]*\}",
    r"(?<!\w)--?[\w-]+",
    r"\$\w+",
    r"[\w./-]+\.(sqlite|xlsx|csv|txt|png)\b",
    r"\b[A-Z][A-Z_:]+\b",
]


def english_sentences(text: str) -> list[str]:
    """Runs of three or more English words left once code-like parts are taken out."""
    found = []
    for line in text.splitlines():
        for pattern in _ALLOWED:
            line = re.sub(pattern, " ", line)
        found += re.findall(r"[A-Za-z]{2,}(?:[ ,;']+[A-Za-z]{2,}){2,}", line)
    return found


def test_the_english_detector_finds_an_untranslated_sentence() -> None:
    assert english_sentences("错误：stall is not in the ledger") == ["stall is not in the ledger"]
    assert english_sentences("用法：iddexi sale add [OPTIONS] {session}  示例：iddexi a b c") == []


HELP_SCRIPT = """
import json, sys
from typer.main import get_command
from typer.testing import CliRunner
from iddexi.cli import app, COMMANDS

runner = CliRunner()
root = get_command(app)
paths = [[]]
for name in COMMANDS:
    paths.append([name])
    command = root.get_command(None, name)
    for sub in getattr(command, "commands", {}):
        paths.append([name, sub])
out = {}
for path in paths:
    result = runner.invoke(app, [*path, "--help"], prog_name="iddexi")
    out[" ".join(path) or "(root)"] = [result.exit_code, result.output]
print(json.dumps(out, ensure_ascii=False))
"""


def test_every_help_in_chinese_has_no_untranslated_english_sentence() -> None:
    done = subprocess.run(
        [sys.executable, "-c", HELP_SCRIPT],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "IDDEXI_LANG": "zh_CN", "COLUMNS": "100"},
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    helps = json.loads(done.stdout)
    assert len(helps) > 25  # the root, every noun and every command
    untranslated = {}
    for command, (code, text) in helps.items():
        assert code == 0, (command, text)
        assert "用法：" in text and "显示本帮助并退出。" in text and "选项：" in text, command
        if english_sentences(text):
            untranslated[command] = english_sentences(text)
    assert untranslated == {}


REFUSALS = [
    ["sale", "add", "2025-26:1", "M0l", "meat", "100"],
    ["sale", "add", "2025-26:1", "M01", "meat", "12.345"],
    ["sale", "add", "2025-26:1", "M01", "meat", "-5"],
    ["sale", "add", "2025-26:1", "M01", "fish", "100"],
    ["sale", "add", "2025-26:9", "M01", "meat", "100"],
    ["sale", "add", "2025-26:2025-12-07", "M01", "meat", "100"],
    ["sale", "add", "2099-00:1", "M01", "meat", "100"],
    ["sale", "add", "2025-26", "M01", "meat", "100"],
    ["sale", "add"],
    ["sale", "add", "2025-26:1", "M01", "meat", "100", "--qty", "lots"],
    ["sales", "list"],
    ["stall", "add", "M01", "--name", "重复"],
    ["stall", "add", "M09", "--nme", "新"],
    ["stall", "add", "M09", "--name", "新", "--township", "nowhere"],
    ["season", "add", "2026-27", "--start", "2026-13-01", "--end", "2027-01-31"],
    ["season", "add", "2026-27", "--start", "2026-11-21", "--end", "2026-01-31"],
    ["season", "add", "2026-27", "--start", "2026-11-21", "--end", "2027-01-31", "--kind", "x"],
    ["session", "add", "2025-26", "--date", "2025-11-22"],
    ["session", "add", "2025-26", "--date", "2025-11-29", "--visitors", "many"],
    ["session", "set", "2025-26:1"],
    ["void", "99"],
    ["void", "1", "--reason", ""],
    ["category", "add", "Fish", "--zh", "鱼", "--en", "Fish"],
    ["sale", "list", "2025-26:1", "--ledger", "x.sqlite"],
    ["report", "season", "2025-26", "--as-of", "yesterday"],
    ["restore", "missing.sqlite"],
]


def test_refusals_in_chinese_have_no_untranslated_english_sentence(
    market, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IDDEXI_LANG", "zh_CN")
    untranslated = {}
    for args in REFUSALS:
        result = run(*args)
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr.startswith("错误："), (args, result.stderr)
        if english_sentences(result.stderr):
            untranslated[" ".join(args)] = result.stderr
    assert untranslated == {}


def test_a_chinese_refusal_reads_as_chinese(market, run, monkeypatch) -> None:
    monkeypatch.setenv("IDDEXI_LANG", "zh_CN")
    result = run("sale", "add", "2025-26:1", "aorigele", "meat", "100")
    assert result.stderr == "错误：账本中没有摊位 'aorigele'；是否要找 敖日格勒家冬储肉 M01？\n"
    result = run("sales", "add")
    assert result.stderr == "错误：没有命令 'sales'；是否要找 sale？（参见 `iddexi --help`）\n"


def test_tables_have_chinese_headings_and_words(market, run, monkeypatch) -> None:
    monkeypatch.setenv("IDDEXI_LANG", "zh_CN")
    result = run("season", "list")
    assert result.exit_code == 0
    assert "代码" in result.stdout and "冬季" in result.stdout and "周六" in result.stdout
    assert "winter" not in result.stdout


# ---------------------------------------------------------------- Typer's private hook


def test_typer_still_takes_its_words_from_its_module_gettext() -> None:
    """We translate Typer's words by replacing ``typer.core._`` (a private name).

    If Typer stops calling it (or renames it), this fails: find the new place then.
    """
    source = inspect.getsource(typer.core)
    assert re.search(r"^from gettext import gettext as _$", source, re.M)
    assert '_("No such command {name!r}.")' in source
    assert '_("Options")' in source and '_("Commands")' in source
    assert typer.core._("Options") == "Options"  # the tests run in English
    i18n.set_language("zh")
    assert typer.core._("Options") == "选项"


def test_clicks_own_sentences_are_the_ones_we_translate() -> None:
    """Typer's bundled Click writes these in English; click_words matches them."""
    from typer._click import decorators, exceptions, formatting

    source = inspect.getsource(exceptions)
    for sentence in (
        '"Missing argument"',
        '"Missing option"',
        "No such option: ",
        "Invalid value for",
    ):
        assert sentence in source, sentence
    assert '"Show this message and exit."' in inspect.getsource(decorators)
    assert 'prefix = "Usage: "' in inspect.getsource(formatting)


# ---------------------------------------------------------------- the entry path stays light


def test_loading_the_chinese_catalog_takes_a_few_milliseconds() -> None:
    timings = []
    for _ in range(5):
        i18n._catalogs.clear()
        start = time.perf_counter()
        i18n.translations("zh_CN").gettext("Options")
        timings.append(time.perf_counter() - start)
    assert sorted(timings)[2] < 0.005


def test_a_chinese_help_imports_no_babel_and_no_pypinyin(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "iddexi", "sale", "add", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "IDDEXI_LANG": "zh_CN"},
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0
    assert "录入摊位营业额" in done.stdout
    modules = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert not {m for m in modules if m.split(".")[0] in {"babel", "pypinyin"}}


def test_lang_after_help_still_chooses_the_language_of_the_help(ledger_path: Path) -> None:
    done = run_iddexi("--help", "--lang", "en", env={"IDDEXI_LANG": "zh"})
    assert done.returncode == 0
    assert done.stdout.startswith("Usage: iddexi")
    assert "Show this message and exit." in done.stdout


def test_no_message_is_built_before_it_is_translated() -> None:
    """``_(f"…")`` would look up a text no catalog holds: placeholders go after ``_()``."""
    import ast

    wrong = []
    for path in sorted((ROOT / "iddexi").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"_", "N_", "ngettext", "pgettext"}
                and any(isinstance(arg, ast.JoinedStr | ast.BinOp) for arg in node.args)
            ):
                wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert wrong == []


# ---------------------------------------------------------------- the files' language


def test_files_speak_the_root_lang_unless_the_command_says_otherwise(
    market, run, tmp_path: Path
) -> None:
    """`iddexi --lang en report …` writes English; the environment alone does not (the
    files go to the bureau and the stalls); a command's own --lang wins."""
    market.add_sale("2025-26:1", "M01", "meat", 1000_00)
    chinese = run("report", "brief", "2025-26")  # IDDEXI_LANG=en, as in every test
    english = run("--lang", "en", "report", "brief", "2025-26")
    own = run("--lang", "en", "report", "brief", "2025-26", "--lang", "zh")
    assert chinese.exit_code == english.exit_code == own.exit_code == 0
    assert chinese.stdout.startswith("截至") and own.stdout == chinese.stdout
    assert english.stdout.startswith("As of") and not english_sentences(chinese.stdout)
    done = run("--lang", "en", "tally", "template", "2025-26:1", "-o", tmp_path / "t.xlsx")
    assert done.exit_code == 0, done.stderr
    from openpyxl import load_workbook

    assert "Sales" in load_workbook(tmp_path / "t.xlsx").sheetnames
