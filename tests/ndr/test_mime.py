"""The lean MIME parser agrees with the standard library where bounces need it to."""

import base64
import email
from email import policy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from errorcodes.ndr import mime

REPORT = """\
From: MAILER-DAEMON@mx.example.net
Subject: Undelivered Mail Returned to Sender
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="b1; not a parameter"

--b1; not a parameter
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

Delivery to pat@example.org failed =E2=80=94 mailbox unavailable.
--b1; not a parameter
Content-Type: message/delivery-status

Final-Recipient: rfc822; pat@example.org
Status: 5.1.1
--b1; not a parameter
Content-Type: message/rfc822

From: sam@example.com
Subject: Hello

body
--b1; not a parameter--
"""


def test_report_structure_and_bodies():
    msg = mime.parse(REPORT)
    assert msg.content_type() == "multipart/report"
    assert msg.param("report-type") == "delivery-status"
    assert msg.param("boundary") == "b1; not a parameter"
    text, status, original = msg.body
    assert text.body_bytes().decode(text.param("charset")) == (
        "Delivery to pat@example.org failed \u2014 mailbox unavailable."
    )
    assert status.content_type() == "message/delivery-status"
    assert "Status: 5.1.1" in status.body
    assert original.body[0].get("subject") == "Hello"


def test_headers_are_looked_up_in_any_case_first_value_wins():
    part = mime.parse("Received: one\nreceived: two\nX-Empty:\n\nbody")
    assert part.get("RECEIVED") == "one"
    assert part.get("x-empty") == ""
    assert part.get("missing", "default") == "default"
    assert [name for name, _ in part.headers] == ["Received", "received", "X-Empty"]


@pytest.mark.parametrize(
    ("header", "ctype"),
    [
        ("", "text/plain"),
        ("Content-Type: TEXT/HTML; charset=utf-8\n", "text/html"),
        ("Content-Type: garbage\n", "text/plain"),
        ("Content-Type: a/b/c\n", "text/plain"),
    ],
)
def test_content_type_defaults_like_the_standard_library(header, ctype):
    part = mime.parse(f"Subject: x\n{header}\nbody")
    assert part.content_type() == ctype
    assert email.message_from_string(f"Subject: x\n{header}\nbody").get_content_type() == ctype


def test_rfc2231_parameters_are_joined_and_decoded():
    value = "text/plain; title*0*=utf-8''caf%C3%A9%20; title*1=menu; charset=\"us-ascii\""
    params = mime.parse_params(value)
    assert params == {"title": "caf\u00e9 menu", "charset": "us-ascii"}


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.integers(0, 3), st.sampled_from(["\n", " ", "\n\n"]))
def test_base64_bodies_decode_like_the_standard_library(data, cut, gap):
    encoded = base64.encodebytes(data).decode().replace("\n", gap)
    encoded = encoded[: len(encoded) - cut]  # padding lost in transit
    source = f"Content-Transfer-Encoding: base64\n\n{encoded}"
    ours = mime.parse(source).body_bytes()
    theirs = email.message_from_string(source, policy=policy.compat32).get_payload(decode=True)
    assert ours == theirs


def test_quoted_printable_and_8bit_bodies():
    qp = mime.parse("Content-Transfer-Encoding: Quoted-Printable \n\nna=C3=AFve=\nly\n")
    assert qp.body_bytes() == "na\u00efvely\n".encode()
    raw = "caf\u00e9".encode().decode("ascii", "surrogateescape")
    assert mime.parse(f"Content-Type: text/plain\n\n{raw}").body_bytes() == "caf\u00e9".encode()


FIELD_NAMES = st.sampled_from(["Subject", "X-Failed-Recipients", "Received", "to", "X-Empty"])
FIELD_VALUES = st.text(st.characters(codec="ascii", exclude_characters="\r\n"), max_size=40)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(FIELD_NAMES, FIELD_VALUES, st.lists(FIELD_VALUES.map(lambda v: " " + v))),
        max_size=8,
    )
)
def test_header_fields_read_like_the_standard_library(fields):
    block = "".join(
        f"{name}: {value}\n" + "".join(f"{more}\n" for more in continuations)
        for name, value, continuations in fields
    )
    source = block + "\nbody\n"
    theirs = email.message_from_string(source, policy=policy.compat32)
    ours = mime.parse(source)
    assert ours.headers == theirs.items()
    assert ours.body == theirs.get_payload()
