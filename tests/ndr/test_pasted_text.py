"""Bounces as people paste them: the text of the report, without headers or MIME.

``samples/text/`` holds body-only reports from many mail systems, written for
these tests, and ``samples/text/expected.json`` what each must decode to.
"""

import email
import email.policy
import json
import re
import textwrap
from html.parser import HTMLParser

import pytest

from errorcodes.ndr import decode

from .conftest import SAMPLES

TEXT_SAMPLES = SAMPLES / "text"
EXPECTED = json.loads((TEXT_SAMPLES / "expected.json").read_text(encoding="utf-8"))
FIELDS = ("address", "status", "reply_code", "hard_bounce", "action")
# Checked only where a sample states them.
OPTIONAL_FIELDS = ("status_inferred", "original_address", "reason")


@pytest.mark.parametrize("case", EXPECTED, ids=[case["file"] for case in EXPECTED])
def test_pasted_report_decodes_to_its_expected_recipients(case):
    result = decode((TEXT_SAMPLES / case["file"]).read_text(encoding="utf-8"))
    assert result.is_bounce is bool(case["recipients"]), case["note"]
    if not result.is_bounce:
        assert not any(r.action in ("failed", "delayed") for r in result.recipients)
        return
    got = [{name: getattr(r, name) for name in FIELDS} for r in result.recipients]
    want = [{name: r[name] for name in FIELDS} for r in case["recipients"]]
    assert got == want, case["note"]
    for rcpt, expected in zip(result.recipients, case["recipients"], strict=True):
        for name in OPTIONAL_FIELDS:
            if name in expected:
                assert getattr(rcpt, name) == expected[name], (name, case["note"])


def test_every_sample_file_has_an_expected_result_and_systems_are_many():
    files = {p.name for p in TEXT_SAMPLES.glob("*.txt")}
    assert files == {case["file"] for case in EXPECTED}
    bounces = [case for case in EXPECTED if case["recipients"]]
    assert len(bounces) >= 60
    assert len({case["system"] for case in bounces}) >= 10


def _same_words(found: str, words: str) -> bool:
    return found.lower().split() == words.lower().split() or re.sub(
        r"[\s>]+", " ", found.lower()
    ) == " ".join(words.lower().split())


@pytest.mark.parametrize("case", EXPECTED, ids=[case["file"] for case in EXPECTED])
def test_status_and_hard_bounce_point_at_the_words_they_rest_on(case):
    text = (TEXT_SAMPLES / case["file"]).read_text(encoding="utf-8")
    for rcpt in decode(text).recipients:
        for name in ("status", "hard_bounce"):
            evidence = rcpt.evidence[name]
            if evidence.basis == "no evidence":
                continue
            assert evidence.start is not None, (name, evidence)
            assert _same_words(text[evidence.start : evidence.end], evidence.text)


def test_evidence_offsets_count_characters_of_a_utf8_input_given_as_bytes():
    text = "Zustellung fehlgeschlagen für Jürgen:\n<jürgen@example.org>: host mx said: 550 5.1.1 No"
    result = decode(text.encode("utf-8"))
    evidence = result.recipients[0].evidence["status"]
    assert text[evidence.start : evidence.end] == "550 5.1.1"
    assert result.to_dict()["recipients"][0]["evidence"]["status"]["start"] == evidence.start


class _Rendered(HTMLParser):
    """The text a mail program shows of an HTML body: blocks on lines, cells apart."""

    BLOCKS = frozenset({"p", "br", "div", "tr", "li", "table", "h1", "h2", "h3"})

    def __init__(self):
        super().__init__()
        self.pieces = []

    def handle_starttag(self, tag, attrs):
        self.pieces.append("\n" if tag in self.BLOCKS else "\t" if tag in ("td", "th") else "")

    def handle_data(self, data):
        self.pieces.append(data)


def _rendered(markup: str) -> str:
    parser = _Rendered()
    parser.feed(markup)
    return "".join(parser.pieces)


def visible_text(raw: bytes) -> str:
    """Return what a mail program shows of a message: its text parts and status fields."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    if msg.get_content_maintype() == "multipart" and not msg.is_multipart():
        return msg.get_payload()  # parts it cannot split are shown as they are
    shown = []
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype in ("message/rfc822", "text/rfc822-headers"):
            break  # the attached original is not part of the report
        if ctype in ("text/plain", "text/html"):
            payload = part.get_payload(decode=True) or b""
            body = payload.decode(part.get_content_charset() or "utf-8", "replace")
            shown.append(_rendered(body) if ctype == "text/html" else body)
        elif ctype in ("message/delivery-status", "message/global-delivery-status"):
            inner = part.get_payload()
            shown.append("\n".join(str(p) for p in inner) if isinstance(inner, list) else inner)
    return "\n\n".join(shown)


WHOLE_MESSAGES = sorted(
    p
    for p in SAMPLES.glob("*.eml")
    # Bounces whose report is the attached message: the paste would be that one.
    if not p.name.startswith("forwarded-")
)


@pytest.mark.parametrize("path", WHOLE_MESSAGES, ids=[p.name for p in WHOLE_MESSAGES])
def test_the_body_alone_gives_the_same_addresses_and_statuses(path):
    raw = path.read_bytes()
    whole = decode(raw)
    body = decode(visible_text(raw))
    assert body.is_bounce is whole.is_bounce
    if path.name.startswith("group-no-permission"):
        # The report names no address: only the attached original's To: says who
        # failed, so the paste gives one unnamed recipient with the same status.
        assert [(r.address, r.status) for r in body.recipients] == [
            (None, r.status) for r in whole.recipients
        ]
        return
    assert sorted((r.address, r.status) for r in body.recipients) == sorted(
        (r.address, r.status) for r in whole.recipients
    )


def rewrapped(text: str, width: int = 72) -> str:
    """Re-wrap long lines as a mail program does, keeping each line's indent."""
    lines = []
    for line in text.split("\n"):
        indent = line[: len(line) - len(line.lstrip())]
        if len(line) <= width:
            lines.append(line)
            continue
        lines += textwrap.wrap(
            line, width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
        )
    return "\n".join(lines)


def quoted(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.split("\n"))


PASTE_VARIANTS = {
    "re-wrapped at 72 columns": rewrapped,
    "quoted with '> '": quoted,
    "re-wrapped and quoted twice": lambda text: quoted(quoted(rewrapped(text))),
    "with CRLF line ends": lambda text: text.replace("\n", "\r\n"),
}


def _verdicts(result):
    if not result.is_bounce:
        return []
    return [(r.address, r.status, r.reply_code, r.hard_bounce, r.action) for r in result.recipients]


@pytest.mark.parametrize("variant", PASTE_VARIANTS)
def test_wrapping_and_quoting_a_paste_changes_no_verdict(variant):
    changed = []
    for case in EXPECTED:
        text = (TEXT_SAMPLES / case["file"]).read_text(encoding="utf-8")
        if _verdicts(decode(PASTE_VARIANTS[variant](text))) != _verdicts(decode(text)):
            changed.append(case["file"])
    assert changed == []


def test_a_hop_without_relay_time_keeps_its_marker_out_of_the_protocol():
    from errorcodes.ndr.extractors.microsoft_current import parse_hops

    copied = (
        "Message Hops\nHOP\tTIME (UTC)\tFROM\tTO\tWITH\tRELAY TIME\n"
        "1\t2/4/2025 7:59:58 AM\tmail.example.com\tAM0PR01MB1234.outlook.com\t"
        "Microsoft SMTP Server (version=TLS1_2) *\n"
        "2\t2/4/2025 8:00:00 AM\tAM0PR01MB1234.outlook.com\tAM0PR01MB1234.outlook.com\t"
        "mapi\t2 min\n"
    )
    hops = parse_hops(copied)
    assert [hop.with_protocol for hop in hops] == ["Microsoft SMTP Server (version=TLS1_2)", "mapi"]
    assert [hop.delay_seconds for hop in hops] == [None, 120]
