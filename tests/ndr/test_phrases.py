"""Phrase tables find what testing each phrase with ``in`` would find."""

from hypothesis import given, settings
from hypothesis import strategies as st

from errorcodes.ndr.phrases import PhraseTable, phrase_set
from errorcodes.ndr.statuscodes import infer_reason, wording_table

WORDS = ["user", "unknown", "mailbox", "full", "no such", "user unknown", "box", "ful"]


def first_row_by_scanning(rows, text):
    return next((rank for rank, row in enumerate(rows) if any(p in text for p in row)), None)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(WORDS), max_size=3), max_size=6),
    st.lists(st.sampled_from([*WORDS, " ", "x", "@"]), max_size=12).map("".join),
)
def test_first_rank_matches_a_scan_row_by_row(rows, text):
    table = PhraseTable(rows)
    assert table.first(text) == first_row_by_scanning(rows, text)


def test_counts_each_phrase_once_and_overlapping_ones_too():
    markers = phrase_set(["error details", "details", "status code", "error"])
    assert markers.ranks("error details: status code 550") == {0, 1, 2, 3}
    assert markers.ranks("") == set()
    assert PhraseTable([]).first("anything") is None


def test_wording_table_row_order_decides():
    rows = wording_table()
    for text in ("550 5.1.1 <pat@example.org>: User unknown", "452 4.2.2 Mailbox full", "zzz"):
        low = text.lower()
        expected = next((r for r in rows if any(p in low for p in r.phrases)), None)
        assert infer_reason(text) == expected
    assert infer_reason("550 5.1.1 User unknown").reason == "user_unknown"
