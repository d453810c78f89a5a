"""What kind of notice a text is: a bounce, a delay warning, an auto-reply.

The phrases live in ``data/notices.json``.  A text is read once
(``read(flat)``, kept per input as ``Source.notice``): every test reads the
flattened text (``Source.flat_text``: lower case, white space runs made one
space), so a paste re-wrapped at 72 columns reads like the original.
"""

from __future__ import annotations

import json
from functools import cache

from .lazyre import lazy
from .phrases import PhraseKinds
from .statuscodes import data_path

# A failure reply with its enhanced code, "550 5.1.1", "451-4.3.0": a server's
# words, whatever prose is around them.  (The digit comes first and the
# look-behind after it, so the engine skips to digits.)
REPLY_PAIR_RE = lazy(r"[45](?<![\w.][45])\d\d[ -]#?[45]\.[0-7]\.\d{1,3}\b")
# Words in quotation marks: what a person quotes of a bounce.
QUOTED_RE = lazy(r'"[^"\n]{0,300}"|\u201c[^\u201d\n]{0,300}\u201d')
# How much of a text the notice tests read.
HEAD = 200_000
# The phrase lists of notices.json read in one pass.
KINDS = (
    "bounce",
    "server_failure",
    "delay",
    "final",
    "gave_up",
    "sendmail",
    "not_bounce",
    "autoreply",
)


class Reading:
    """What a text's words say it is."""

    __slots__ = ("_flat", "_reply_pair", "phrases")

    def __init__(self, flat: str) -> None:
        self._flat = flat
        # Each kind of notices.json found in the text, with its first phrase there.
        self.phrases = _phrases().found(flat)
        self._reply_pair: bool | None = None

    @property
    def reply_pair(self) -> bool:
        """True when the text quotes a failure reply with its enhanced code ("550 5.1.1")."""
        if self._reply_pair is None:
            self._reply_pair = REPLY_PAIR_RE.search(self._flat) is not None
        return self._reply_pair

    def has(self, kind: str) -> bool:
        """Return True when a phrase of ``kind`` (a key of notices.json) is in the text."""
        return kind in self.phrases

    @property
    def reads_as_bounce(self) -> bool:
        """True when a text without headers reads as a bounce."""
        return "bounce" in self.phrases or "server_failure" in self.phrases or self.reply_pair

    @property
    def delay_warning(self) -> str | None:
        """The phrase that makes the text a warning that delivery is late, or None.

        Words that say delivery is over ("permanent error", "giving up") outrank it.
        """
        return None if "final" in self.phrases else self.phrases.get("delay")

    @property
    def is_autoreply(self) -> bool:
        """True for an out-of-office or challenge reply that reports no failure."""
        return "autoreply" in self.phrases and not self.reads_as_bounce


@cache
def _data() -> dict:
    with open(data_path("notices.json"), encoding="utf-8") as handle:
        return json.load(handle)


@cache
def _phrases() -> PhraseKinds:
    data = _data()
    return PhraseKinds({kind: data[kind] for kind in KINDS})


def read(flat: str) -> Reading:
    """Read a flattened text for what kind of notice it is."""
    return Reading(flat[:HEAD])


def has_phrase(kind: str, flat: str) -> bool:
    """Return True when ``flat`` holds a phrase of ``kind`` (a key of notices.json)."""
    return kind in _phrases().found(flat[:HEAD])


def is_letter(text: str) -> bool:
    """Return True for a person's letter about a bounce: a greeting line on top, a
    sign-off at the end, and a report's own prose only in quotation marks.

    "Hi Priya, ... the server answered "550 5.1.1 user unknown" ... Cheers, Leo"
    talks about a bounce; it is not one.  A notice that greets its reader ("Hello
    a@b, the group you tried to contact may not exist ... Thanks, Google Groups")
    says the failure in its own words.
    """
    lines = [line.strip().lower() for line in text[:20000].split("\n") if line.strip()]
    if len(lines) < 3 or len(lines[0]) > 60:
        return False
    greetings, signoffs = tuple(_data()["greeting"]), tuple(_data()["signoff"])
    opening = " ".join(lines[0].split(",")[0].split())
    if not any(opening == g or opening.startswith(g + " ") for g in greetings):
        return False
    closing = [line.rstrip(",.!") for line in lines[-3:] if len(line) <= 40]
    if not any(line.startswith(signoffs) for line in closing):
        return False
    unquoted = QUOTED_RE.sub(" ", " ".join(lines))
    return not read(unquoted).has("bounce")
