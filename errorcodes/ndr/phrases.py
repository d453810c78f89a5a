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
                if phrase and self._automaton.get(phrase, rank) >= rank:
                    self._automaton.add_word(phrase, rank)
        self._empty = len(self._automaton) == 0
        if not self._empty:
            self._automaton.make_automaton()

    def ranks(self, text: str) -> set[int]:
        """Return the ranks of the rows with a phrase in ``text``."""
        if self._empty or not text:
            return set()
        return {rank for _, rank in self._automaton.iter(text)}

    def first(self, text: str) -> int | None:
        """Return the lowest rank with a phrase in ``text``, or None."""
        return min(self.ranks(text), default=None)

    def found_in(self, text: str) -> bool:
        """Return True when any phrase occurs in ``text``."""
        if self._empty or not text:
            return False
        return next(self._automaton.iter(text), None) is not None


def phrase_set(phrases: Iterable[str]) -> PhraseTable:
    """Return a table with one phrase per row: ``ranks`` tells which are present."""
    return PhraseTable([phrase] for phrase in phrases)
