"""Which of many phrases occur in a text, found in one pass.

The wording and provider tables hold hundreds of phrases; testing each with
``in`` scanned the text once per phrase.  An Aho-Corasick automaton
(pyahocorasick) reads the text once and reports every phrase in it.
"""

from __future__ import annotations

from collections.abc import Iterable

import ahocorasick


class PhraseTable:
    """Phrases grouped in ranked rows; tells which rows have a phrase in a text.

    Phrases are matched as given, so give them in lower case and pass
    lower-cased text.
    """

    def __init__(self, rows: Iterable[Iterable[str]]) -> None:
        self._automaton = ahocorasick.Automaton()
        for rank, phrases in enumerate(rows):
            for phrase in phrases:
                # A phrase listed in two rows belongs to the first.
                if phrase and self._automaton.get(phrase, (rank,))[0] >= rank:
                    self._automaton.add_word(phrase, (rank, phrase))
        self._empty = len(self._automaton) == 0
        if not self._empty:
            self._automaton.make_automaton()

    def ranks(self, text: str) -> set[int]:
        """Return the ranks of the rows with a phrase in ``text``."""
        if self._empty or not text:
            return set()
        return {value[0] for _, value in self._automaton.iter(text)}

    def first(self, text: str) -> int | None:
        """Return the lowest rank with a phrase in ``text``, or None."""
        if self._empty or not text:
            return None
        return min((value[0] for _, value in self._automaton.iter(text)), default=None)

    def first_match(self, text: str) -> tuple[int, str, int] | None:
        """Return (rank, phrase, start) of the earliest phrase of the lowest rank in ``text``."""
        if self._empty or not text:
            return None
        best = None
        for end, (rank, phrase) in self._automaton.iter(text):
            start = end - len(phrase) + 1
            if best is None or (rank, start) < (best[0], best[2]):
                best = (rank, phrase, start)
        return best


class PhraseKinds:
    """Phrases that each belong to one or more named kinds; one pass tells which kinds occur."""

    def __init__(self, kinds: dict[str, Iterable[str]]) -> None:
        members: dict[str, list[str]] = {}
        for kind, phrases in kinds.items():
            for phrase in phrases:
                if phrase and kind not in members.setdefault(phrase, []):
                    members[phrase].append(kind)
        self._automaton = ahocorasick.Automaton()
        for phrase, names in members.items():
            self._automaton.add_word(phrase, (phrase, tuple(names)))
        self._empty = not members
        if not self._empty:
            self._automaton.make_automaton()

    def found(self, text: str) -> dict[str, str]:
        """Return each kind with a phrase in ``text``, and its first phrase there."""
        seen: dict[str, str] = {}
        if self._empty or not text:
            return seen
        for _, (phrase, names) in self._automaton.iter(text):
            for name in names:
                seen.setdefault(name, phrase)
        return seen


def phrase_set(phrases: Iterable[str]) -> PhraseTable:
    """Return a table with one phrase per row: ``ranks`` tells which are present."""
    return PhraseTable([phrase] for phrase in phrases)
