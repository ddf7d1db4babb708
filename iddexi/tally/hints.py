"""“Did you mean …?” for a stall, category, season or township an imported cell names.

The same closest-name search the command line uses (``iddexi.ledger.suggest``), over the
lookups an import has already read. A bad file may repeat one unknown word on thousands
of rows, so each distinct word is searched once per import.
"""

from __future__ import annotations

from iddexi.ledger.bulk import Lookups


class Hints:
    """``"; did you mean …?"`` (or "") for unknown words, memoised per import."""

    def __init__(self, lookups: Lookups) -> None:
        self.lookups = lookups
        self._found: dict[tuple[str, str], str] = {}
        self._names: dict[str, dict[str, tuple[str, ...]]] = {}

    def _hint(self, kind: str, word: str) -> str:
        key = (kind, word)
        if key not in self._found:
            from iddexi.ledger.suggest import did_you_mean

            if kind not in self._names:
                self._names[kind] = self._candidates(kind)
            self._found[key] = did_you_mean(word, self._names[kind])
        return self._found[key]

    def _candidates(self, kind: str) -> dict[str, tuple[str, ...]]:
        lk = self.lookups
        if kind == "stall":
            return {f"{s.name} {s.code}": (s.code, s.name) for s in lk.stalls.values()}
        if kind == "category":
            names: dict[str, list[str]] = {
                code: [code, *lk.category_labels[code]] for code in lk.category_labels
            }
            for alias, code in lk.categories.items():
                names.setdefault(code, [code]).append(alias)
            return {
                f"{code} ({lk.category_labels.get(code, ('', ''))[0]})": tuple(found)
                for code, found in names.items()
            }
        if kind == "season":
            return {s.code: (s.code, s.name or "") for s in lk.seasons.values()}
        return {name: (name,) for name in lk.townships}

    def stall(self, code: str) -> str:
        return self._hint("stall", code)

    def category(self, label: str) -> str:
        return self._hint("category", label)

    def season(self, code: str) -> str:
        return self._hint("season", code)

    def township(self, name: str) -> str:
        return self._hint("township", name)


def hints_for(lookups: Lookups) -> Hints:
    """The memo of one import's lookups (kept on them, so every reader shares it)."""
    found = getattr(lookups, "_hints", None)
    if found is None:
        found = Hints(lookups)
        lookups._hints = found  # type: ignore[attr-defined]
    return found
