"""Line-by-line differences between two texts, words marked within changed lines.

For the admin: an editor compares an entry's Markdown with the shipped text.
Built on difflib; the template escapes every piece.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

# Words and the white space between them, so that joining the pieces gives the line.
WORDS_RE = re.compile(r"\s+|[^\s]+")


@dataclass
class Piece:
    text: str
    kind: str = "same"  # "same", "removed" or "added"


@dataclass
class DiffLine:
    kind: str  # "same", "removed", "added", or "gap" for unchanged lines left out
    pieces: list[Piece] = field(default_factory=list)


def diff_lines(old: str, new: str, context: int = 2) -> list[DiffLine]:
    """The lines of ``old`` and ``new`` as removed, added or the same (``context``
    unchanged lines around each change; a "gap" stands for the rest)."""
    before, after = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        if lines:
            lines.append(DiffLine("gap"))
        for op, i1, i2, j1, j2 in group:
            if op == "equal":
                lines.extend(DiffLine("same", [Piece(t)]) for t in before[i1:i2])
            elif op == "replace" and i2 - i1 == j2 - j1:
                for removed, added in zip(before[i1:i2], after[j1:j2], strict=True):
                    lines.extend(changed_line(removed, added))
            else:
                lines.extend(DiffLine("removed", [Piece(t, "removed")]) for t in before[i1:i2])
                lines.extend(DiffLine("added", [Piece(t, "added")]) for t in after[j1:j2])
    return lines


# Below this likeness two lines are shown as replaced whole: marking the few
# words they share would only scatter the marks.
WORD_MARKS_FROM = 0.5


def changed_line(old: str, new: str) -> list[DiffLine]:
    """One line replaced by another: both, with the words that differ marked."""
    before, after = WORDS_RE.findall(old), WORDS_RE.findall(new)
    removed, added = DiffLine("removed"), DiffLine("added")
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    if matcher.ratio() < WORD_MARKS_FROM:
        return [
            DiffLine("removed", [Piece(old, "removed")]),
            DiffLine("added", [Piece(new, "added")]),
        ]
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            removed.pieces.append(Piece("".join(before[i1:i2])))
            added.pieces.append(Piece("".join(after[j1:j2])))
            continue
        if i2 > i1:
            removed.pieces.append(Piece("".join(before[i1:i2]), "removed"))
        if j2 > j1:
            added.pieces.append(Piece("".join(after[j1:j2]), "added"))
    return [joined(removed), joined(added)]


def joined(line: DiffLine) -> DiffLine:
    """The line with a mere space between two marked runs marked too, as one run."""
    pieces: list[Piece] = []
    for piece in line.pieces:
        if pieces and pieces[-1].kind == piece.kind:
            pieces[-1] = Piece(pieces[-1].text + piece.text, piece.kind)
        else:
            pieces.append(piece)
    merged: list[Piece] = []
    for number, piece in enumerate(pieces):
        between = (
            0 < number < len(pieces) - 1
            and pieces[number - 1].kind == line.kind == pieces[number + 1].kind
        )
        if between and piece.kind == "same" and not piece.text.strip():
            piece = Piece(piece.text, line.kind)
        if merged and merged[-1].kind == piece.kind:
            merged[-1] = Piece(merged[-1].text + piece.text, piece.kind)
        else:
            merged.append(piece)
    return DiffLine(line.kind, merged)
