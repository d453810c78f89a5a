"""The header analysis never raises and stays linear, whatever the headers hold.

Every input is decoded under ``failures.strict()`` (see test_robustness.py):
hostile Authentication-Results, anti-spam and Received values built from the
pieces real ones are made of, and huge inputs (100,000 Received lines, a
megabyte-long header, comments nested thousands deep) whose time must grow
linearly with their size.
"""

import json
import os
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from errorcodes.ndr import decode
from errorcodes.ndr.failures import strict
from errorcodes.ndr.headers import antispam, auth, route
from errorcodes.ndr.headers.block import Header, HeaderBlock


def words(text: str) -> list[str]:
    """The words of ``text``: long lists of tokens stay readable."""
    return text.split()


SETTINGS = settings(
    max_examples=int(os.environ.get("NDR_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

AR_WORDS = words(
    "spf dkim dmarc compauth arc x-zz pass fail none softfail reason action smtp.mailfrom header.d"
    " header.from header.i policy.iprev i=1; example.com 192.0.2.1 2001:db8::1 p=REJECT adkim=s"
    " mx.example.net from=example.com =?utf-8?q?x?= = ; ( ) / . @ <> < >"
)
AR_PIECES = st.sampled_from(
    [*AR_WORDS, " ", '"', "\\", "sender IP is ", "\n ", "\t", "\u00e9", "\udc80"]
)
AR_VALUES = st.lists(AR_PIECES | st.text(max_size=6), max_size=60).map("".join)
FIELD_PIECES = st.sampled_from(
    [*words("SCL BCL SFV CAT CIP SFS : ; -1 9 99999999 SPM (1)(2)"), "", " "]
)
ANTISPAM_VALUES = st.lists(FIELD_PIECES | st.text(max_size=5), max_size=40).map("".join)
RECEIVED_WORDS = words(
    "from by with id for via ESMTPS ( ) [ ] ; mail.example.com 192.0.2.1 IPv6:2001:db8::1"
    " version=TLS1_2 cipher=X 99:99:99 +9999 Feb 2025"
)
RECEIVED_PIECES = st.sampled_from(
    [
        *RECEIVED_WORDS,
        " ",
        "using TLSv1.3 with cipher Y",
        "Mon, 3 Feb 2025 10:00:00 +0000",
        "-0800 (PST)",
        "\n\t",
    ]
)
RECEIVED_VALUES = st.lists(RECEIVED_PIECES | st.text(max_size=5), max_size=40).map("".join)
NAMES = st.sampled_from(
    words(
        "Authentication-Results ARC-Authentication-Results Authentication-Results-Original"
        " X-Forefront-Antispam-Report X-Forefront-Antispam-Report-Untrusted X-Microsoft-Antispam"
        " X-MS-Exchange-Organization-SCL Received From X-Microsoft-Antispam-Mailbox-Delivery"
    )
)


def decode_strictly(data):
    with strict():
        result = decode(data)
    json.dumps(result.to_dict(), ensure_ascii=False).encode("utf-8")
    return result


@SETTINGS
@given(AR_VALUES, st.sampled_from(["Authentication-Results", "ARC-Authentication-Results"]))
def test_any_authentication_results_value_is_read_without_raising(value, name):
    results, _, _ = auth.read_header(Header(0, name, value))
    for res in results:
        assert isinstance(res.method, str) and isinstance(res.result, str)
        auth.unknown_tokens(res)
    auth.read(HeaderBlock([(name, value), ("Authentication-Results", value)]))


@SETTINGS
@given(ANTISPAM_VALUES)
def test_any_antispam_value_is_read_without_raising(value):
    spam = antispam.read(
        HeaderBlock([("X-Forefront-Antispam-Report", value), ("X-Microsoft-Antispam", value)])
    )
    assert spam is not None
    assert spam.scl is None or -99999 <= spam.scl <= 99999


@SETTINGS
@given(st.lists(RECEIVED_VALUES, max_size=8))
def test_any_received_values_are_read_without_raising(values):
    path = route.read(HeaderBlock([("Received", v) for v in values]), report_epoch=1738576800.0)
    assert path is None or len(path.hops) == len(values)


@SETTINGS
@given(
    st.lists(st.tuples(NAMES, AR_VALUES | ANTISPAM_VALUES | RECEIVED_VALUES), max_size=12),
    st.booleans(),
    st.booleans(),
)
def test_any_header_paste_or_bounce_with_such_headers_decodes(headers, as_bounce, as_bytes):
    block = "".join(f"{name}: {value}\n" for name, value in headers)
    text = "From: a@example.com\nSubject: x\n" + block + "\nbody\n"
    if as_bounce:
        text = (
            "Delivery has failed to these recipients or groups:\n\njane@example.org\n\n"
            "Diagnostic information for administrators:\n\njane@example.org\n"
            "#550 5.7.509 Access denied ##\n\nOriginal message headers:\n\n" + text
        )
    decode_strictly(text.encode("utf-8", "surrogateescape") if as_bytes else text)


def seconds(data) -> float:
    start = time.perf_counter()
    decode_strictly(data)
    return time.perf_counter() - start


def grows_linearly(make, small: int, factor: int = 4) -> None:
    """Decoding ``make(factor * small)`` takes at most about ``factor`` times ``make(small)``."""
    seconds(make(small))  # warm up
    short = min(seconds(make(small)) for _ in range(3))
    long = min(seconds(make(small * factor)) for _ in range(2))
    assert long < factor * 3 * short + 0.05, (short, long)


DATE = "Mon, 3 Feb 2025 10:00:00 +0000"
STAMP = "Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=a.example.com\n"


def received_paste(count: int) -> str:
    hop = f"Received: from a.example.com ([192.0.2.1]) by b.example.com with ESMTPS; {DATE}\n"
    return hop * count + "From: a@example.com\n" + STAMP


def test_a_hundred_thousand_received_lines_are_read_in_bounded_time():
    result = decode_strictly(received_paste(100_000))
    assert len(result.analysis.route.hops) == route.MAX_HOPS and result.analysis.route.truncated
    grows_linearly(received_paste, 10_000)


def test_giant_headers_stay_linear():
    def giant_stamp(size: int) -> str:
        clause = "; dkim=pass (good (nested) comment) header.d=example.com header.s=s1"
        value = "mx.example.net" + clause * (size // len(clause))
        return f"From: a@example.com\nAuthentication-Results: {value}\nReceived: by x; {DATE}\n"

    def giant_report(size: int) -> str:
        report = "SFS:(1);SCL:5;" * (size // 14)
        return f"From: a@example.com\nX-Forefront-Antispam-Report: {report}\n"

    def giant_received(size: int) -> str:
        return "Received: from " + "([192.0.2.1]) " * (size // 14) + f"by x; {DATE}\n"

    for make in (giant_stamp, giant_report, giant_received):
        decode_strictly(make(1_000_000))
        grows_linearly(make, 100_000)


def test_deeply_nested_comments_and_hostile_repetitions_return():
    for value in (
        "mx.example.net; spf=pass " + "(" * 5000 + ")" * 5000 + " smtp.mailfrom=a.example",
        "mx.example.net; spf=pass (" * 3000,
        ";" * 100_000,
        "spf=pass " + "header.d=x " * 20_000,
        '"' * 100_001,
        "\\" * 100_000,
        "i=1;" * 50_000,
    ):
        decode_strictly(f"From: a@example.com\nAuthentication-Results: {value}\n")
        decode_strictly(f"From: a@example.com\nARC-Authentication-Results: {value}\n")
    for count in (1000, 20_000):
        stamps = "".join(
            f"Authentication-Results: host{i}.example.net; spf=pass smtp.mailfrom=a.example\n"
            for i in range(count)
        )
        result = decode_strictly("From: a@example.com\n" + stamps)
        assert len(result.analysis.authentication) == auth.MAX_AR_HEADERS
