"""Text matching done on lower-cased copies finds what case-insensitive matching would."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from errorcodes.ndr import decode
from errorcodes.ndr.classify import smtp_command
from errorcodes.ndr.decoder import ANY_CODE_RE
from errorcodes.ndr.extractors.base import (
    ADDRESS_RE,
    HOST_IP_RE,
    find_addresses,
    first_host,
    matches_around,
)
from errorcodes.ndr.extractors.generic_mta import diagnostic_of
from errorcodes.ndr.source import lower_same_length
from errorcodes.ndr.statuscodes import ENHANCED_RE, REPLY_ENHANCED_RE, REPLY_RE


def test_lower_case_copy_keeps_every_position():
    text = "\u0130STANBUL ofis\u0130 \u2014 Original Message follows"
    low = lower_same_length(text)
    assert len(low) == len(text)
    start = low.index("original message")
    assert text[start : start + 16] == "Original Message"


def test_marker_found_whatever_its_case_and_the_text_before_it():
    pasted = (
        "Delivery to the following recipient failed permanently:\n\n"
        "    pat@example.org\n\n"
        "550 5.1.1 The email account that you tried to reach does not exist.\n\n"
        "----- ORIGINAL MESSAGE -----\n"
        "From: \u0130lker <ilker@example.com>\nTo: pat@example.org\nSubject: Merhaba\n"
    )
    result = decode(pasted)
    assert result.original.subject == "Merhaba"
    assert [r.status for r in result.recipients] == ["5.1.1"]


def test_smtp_command_any_case():
    assert smtp_command("SMTP error from remote mail server after RCPT TO:<a@b.example>") == "RCPT"
    assert smtp_command(">>> DATA\n<<< 550 Unknown user") == "DATA"
    assert smtp_command("In Reply To Mail From command: 553 sender rejected") == "MAIL"
    assert smtp_command("550 5.1.1 user unknown") is None


def test_diagnostic_starts_at_the_first_coded_line():
    block = (
        ">\n"
        "    (ultimately generated from pat@example.org)\n"
        "    host mx.example.org [192.0.2.7]\n"
        "    SMTP error from remote mail server after RCPT TO:<pat@example.org>:\n"
        "    550-5.1.1 The email account that you tried to reach does not exist.\n"
        "    550 5.1.1 Please try double-checking the recipient's address.\n"
    )
    assert diagnostic_of(block).startswith("550-5.1.1 The email account")


def test_diagnostic_of_a_bare_reply_with_colon_and_of_prose():
    assert diagnostic_of(":\n550: no such user here\n") == "550: no such user here"
    assert diagnostic_of(":\nThis user doesn't have an account\n") == (
        "This user doesn't have an account"
    )


ADDRESS_PIECES = st.sampled_from(
    ["pat", "@", "example.org", ".", "-", "a" * 70, " ", "<", ">", "x!y", "\n", "@@", "b.c", "é"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(ADDRESS_PIECES, max_size=20).map("".join))
def test_address_search_around_each_at_sign_finds_what_a_full_scan_finds(text):
    expected = [(m.start(), m.group(0)) for m in ADDRESS_RE.finditer(text)]
    assert [(m.start(), m.group(0)) for m in find_addresses(text)] == expected


# The code patterns put their look-behind after the first digit, for speed; these
# are the same patterns written the plain way, look-behind first.
PLAIN_CODE_PATTERNS = [
    (ENHANCED_RE, r"(?<![\w.])([245])\.([0-7])\.(\d{1,3})(?![\w]|\.\d)"),
    (
        REPLY_ENHANCED_RE,
        r"(?<![\w.-])([245][0-5]\d)[ -]['\"]?#?([245]\.[0-7]\.\d{1,3})(?![\w]|\.\d)",
    ),
    (REPLY_RE, r"(?<![\w./-])(?<!\S:)([245][0-5]\d)(?:[ -](?=\S)|[,:](?=\s)|$)"),
]
CODE_PIECES = st.sampled_from(
    ["5", "4", "2", "0", "1", "7", ".", "-", " ", ":", "#", "'", "a", "/", "\n", "550", "5.1.1"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(CODE_PIECES, max_size=24).map("".join))
def test_code_patterns_match_like_their_plain_form(text):
    for fast, plain in PLAIN_CODE_PATTERNS:
        reference = re.compile(plain, fast.flags)
        assert [(m.span(), m.groups()) for m in fast.finditer(text)] == [
            (m.span(), m.groups()) for m in reference.finditer(text)
        ]
    plain_any = re.compile(rb"(?<![0-9])[45](?:[0-9][0-9]|\.[0-9]{1,3}\.[0-9]{1,3})(?![0-9])")
    data = text.encode()
    assert [m.span() for m in ANY_CODE_RE.finditer(data)] == [
        m.span() for m in plain_any.finditer(data)
    ]


HOST_PIECES = st.sampled_from(
    ["mx", ".", "example", "org", "[", "]", "192.0.2.7", "IPv6:2001:db8::1", " ", "-", "a" * 70]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(HOST_PIECES, max_size=20).map("".join))
def test_first_host_is_the_first_match_of_a_full_scan(text):
    match = HOST_IP_RE.search(text)
    assert first_host(text) == (match.group(1).lower() if match else None)


PLAIN_COMMAND_RE = re.compile(
    r"in reply to (?:the )?(rcpt to|mail from|end of data|data|helo|ehlo)\b"
    r"|after (rcpt to|mail from|end of data|data|helo|ehlo)\b"
    r"|^[ \t]{0,8}>>> ?(rcpt to|mail from|data|helo|ehlo)\b"
    r"|smtp command[ \t]{0,4}:?[ \t]{0,4}\n?[ \t]{0,4}(rcpt|mail from|data|helo|ehlo)\b",
    re.MULTILINE,
)
COMMAND_PIECES = st.sampled_from(
    [">>> ", ">>>", "DATA", "RCPT TO:<a@b.example>", " ", "\t", "\n", "x", "after ", "MAIL FROM"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(COMMAND_PIECES, max_size=16).map("".join))
def test_smtp_command_reads_transcript_lines_like_a_line_anchored_pattern(text):
    words = [next(g for g in m.groups() if g) for m in PLAIN_COMMAND_RE.finditer(text.lower())]
    expected = None
    if words:
        word = words[-1]
        expected = (
            "DATA"
            if word.endswith("data")
            else {"rcpt": "RCPT", "mail": "MAIL"}.get(word[:4], "HELO")
        )
    assert smtp_command(text) == expected


class CountingPattern:
    """A pattern that counts how many characters its searches were given to scan."""

    def __init__(self, pattern):
        self.pattern = pattern
        self.scanned = 0

    def search(self, text, pos, endpos):
        self.scanned += min(endpos, len(text)) - pos
        return self.pattern.search(text, pos, endpos)

    def finditer(self, text):
        self.scanned += len(text)
        return self.pattern.finditer(text)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 2000), st.integers(1, 40))
def test_address_search_work_stays_linear_whatever_the_at_sign_density(gap, repeat):
    text = ("x" * gap + "@") * repeat + " pat@example.org"
    counting = CountingPattern(ADDRESS_RE)
    found = [m.group(0) for m in matches_around(counting, text, "@", 64, 600)]
    assert found == ADDRESS_RE.findall(text)
    assert counting.scanned <= 5 * len(text) + 700
