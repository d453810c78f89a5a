"""No bounce lost to a parse error: a field that cannot be read is skipped, the rest decoded.

Each sample is a small hand-written bounce with one broken header, field or
part; before the fix the exception reached decode()'s catch and the whole
bounce came back empty.  The autouse fixture in conftest.py also fails these
tests when any exception is caught on the way.
"""

import base64
import json
import logging
import re

import pytest

from errorcodes.ndr import decode, decode_failures, failure_counts
from errorcodes.ndr import decoder as decoder_module
from errorcodes.ndr.failures import strict
from errorcodes.ndr.source import decode_header_value

# A Postfix bounce with a delivery-status part and the original's headers.
DSN_BOUNCE = """\
From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
To: alice@example.com
Subject: {subject}
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B0UND"

--B0UND
Content-Type: text/plain

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<bob@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1
    <bob@example.org>: Recipient address rejected: User unknown

--B0UND
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; bob@example.org
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.org
{extra_field}
--B0UND
Content-Type: text/rfc822-headers

From: alice@example.com
To: bob@example.org
Subject: {original_subject}
Message-ID: <q1@example.com>

--B0UND--
"""

# The same failure without a delivery-status part: the text alone tells it, and the
# top-level headers are read to tell a bounce from an auto-reply.
TEXT_BOUNCE = """\
From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
To: alice@example.com
Subject: {subject}

This is the mail system at host mx.example.net.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<bob@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1
    <bob@example.org>: Recipient address rejected: User unknown
"""


def dsn_bounce(subject="Undelivered Mail", original_subject="Quarterly report", extra_field=""):
    return DSN_BOUNCE.format(
        subject=subject, original_subject=original_subject, extra_field=extra_field
    )


def assert_user_unknown(result):
    """The bounce still says: bob@example.org failed with 5.1.1."""
    assert result.is_bounce
    assert [(r.address, r.status) for r in result.recipients] == [("bob@example.org", "5.1.1")]
    assert result.recipients[0].reply_code == "550"
    assert result.recipients[0].hard_bounce


@pytest.mark.parametrize("word", ["=?utf-8?B?a?=", "=?utf-8?B?YWJjZ?=", "=?\u00fc?Q?abc?="])
def test_undecodable_original_subject_keeps_the_bounce(word):
    # HeaderParseError (base64) and CharsetError (a charset name that is not ASCII).
    result = decode(dsn_bounce(original_subject=f"Invoice {word}"))
    assert_user_unknown(result)
    assert result.original.to == "bob@example.org"
    assert result.original.message_id == "<q1@example.com>"
    assert result.original.subject.startswith("Invoice ")  # best effort, not lost


def test_undecodable_word_stays_as_written_beside_decoded_ones():
    result = decode(dsn_bounce(original_subject="=?utf-8?B?a?= =?utf-8?Q?caf=C3=A9?= ok"))
    assert_user_unknown(result)
    assert result.original.subject == "=?utf-8?B?a?= café ok"


def test_undecodable_subject_of_the_bounce_itself_keeps_it():
    result = decode(TEXT_BOUNCE.format(subject="Undelivered =?utf-8?B?a?="))
    assert_user_unknown(result)
    assert result.layout == "generic_mta"


def test_unknown_charset_is_read_leniently():
    # The stdlib raises LookupError for x-unknown: the word used to stay undecoded.
    result = decode(dsn_bounce(original_subject="=?x-unknown?Q?Caf=C3=A9_menu?="))
    assert_user_unknown(result)
    assert result.original.subject == "Café menu"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("=?utf-8?B?a?=", "=?utf-8?B?a?="),
        ("=?x-unknown?Q?abc?=", "abc"),
        ("=?no-such-charset?B?YWJj?=", "abc"),
        ("=?\u00fc?Q?abc?= and =?utf-8?Q?more?=", "abc and more"),
        ("=?utf-8*en?Q?hello?=", "hello"),
        ("Re: =?iso-8859-1?Q?caf=E9?= =?utf-8?B?IGF1IGxhaXQ=?=", "Re: café au lait"),
    ],
)
def test_decode_header_value_never_raises_and_keeps_what_it_can(value, text):
    assert decode_header_value(value) == text


def test_broken_encoded_word_in_a_delivery_status_field_keeps_the_bounce():
    # Encoded words in a delivery-status part are decoded too (source._dsn_text).
    result = decode(dsn_bounce(extra_field="X-Display-Name: =?utf-8?B?a?=\n"))
    assert_user_unknown(result)
    assert result.layout == "dsn"


MS_CURRENT = """\
From: Microsoft Outlook <postmaster@contoso.com>
Sent: Monday, February 3, 2025 10:00 AM
To: sender@example.com
Subject: Undeliverable: Offer

Your message to frank@contoso.com couldn't be delivered.

Error Details
Reported error: 550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup
DSN generated by:{generated}
Status code: 550 5.1.10
"""  # noqa: E501


@pytest.mark.parametrize("generated", [" ", "  \t ", "\u3000"])
def test_blank_dsn_generated_by_keeps_the_microsoft_bounce(generated):
    result = decode(MS_CURRENT.format(generated=generated))
    assert result.layout == "microsoft_current"
    assert [(r.address, r.status) for r in result.recipients] == [("frank@contoso.com", "5.1.10")]
    assert result.recipients[0].exception == "RESOLVER.ADR.RecipientNotFound"
    assert result.reporting_mta is None


def test_dsn_generated_by_still_names_the_reporting_server():
    result = decode(MS_CURRENT.format(generated=" AM0PR01MB1234.eurprd01.prod.outlook.com"))
    assert result.reporting_mta == "am0pr01mb1234.eurprd01.prod.outlook.com"


SES = """\
From: no-reply@sns.amazonaws.com
To: sender@example.com
Subject: AWS Notification Message

{json}
"""


@pytest.mark.parametrize(
    "recipients",
    [
        '["heidi@example.org", {"emailAddress": "ivan@example.org", "status": "5.1.1"}]',
        '[null, 7, {"emailAddress": "ivan@example.org", "status": "5.1.1"}]',
    ],
)
def test_ses_recipient_of_another_type_is_skipped(recipients):
    notice = (
        '{"notificationType":"Bounce","bounce":{"bounceType":"Permanent",'
        f'"bouncedRecipients":{recipients}}}}}'
    )
    result = decode(SES.format(json=notice))
    assert result.layout == "amazonses_json"
    assert [(r.address, r.status) for r in result.recipients] == [("ivan@example.org", "5.1.1")]


@pytest.mark.parametrize(
    "notice",
    [
        '{"notificationType":"Bounce","bounce":"gone"}',
        '{"notificationType":"Bounce","bounce":{"bouncedRecipients":5}}',
        '{"notificationType":"Delivery","delivery":["x"]}',
        '{"notificationType":"Delivery","delivery":{"recipients":"a@b.example"}}',
    ],
)
def test_ses_fields_of_another_type_give_no_recipient(notice):
    result = decode(SES.format(json=notice))
    assert result.layout == "amazonses_json"
    assert result.recipients == []


def test_ses_json_nested_too_deep_leaves_the_text_to_the_other_readers():
    # The JSON decoder raises RecursionError, not ValueError, on "[[[[...".
    text = TEXT_BOUNCE.format(subject="Undelivered Mail")
    text += '\n{"notificationType":"Bounce","bounce":' + "[" * 100_000 + "\n"
    assert_user_unknown(decode(text))


def test_base64_encoded_original_message_is_read():
    original = (
        b"From: alice@example.com\nTo: bob@example.org\nSubject: =?utf-8?B?w6l0w6k=?=\n"
        b"Message-ID: <q2@example.com>\n\nhello\n"
    )
    raw = dsn_bounce().replace(
        "Content-Type: text/rfc822-headers\n\n"
        "From: alice@example.com\nTo: bob@example.org\nSubject: Quarterly report\n"
        "Message-ID: <q1@example.com>\n",
        "Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(original).decode(),
    )
    result = decode(raw)
    assert_user_unknown(result)
    assert (result.original.subject, result.original.message_id) == ("été", "<q2@example.com>")


def test_input_of_another_type_is_located_as_it_is_read():
    # source.to_bytes reads any object as its str(); the evidence locator did not.
    class Paste:
        def __str__(self) -> str:
            return "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown"

    result = decode(Paste())
    assert [(r.address, r.status) for r in result.recipients] == [("bob@example.org", "5.1.1")]
    status = result.recipients[0].evidence["status"]
    assert str(Paste())[status.start : status.end] == status.text


def assert_all_text(result):
    """Every string of the result can be sent as UTF-8 (no lone surrogates)."""
    json.dumps(result.to_dict(), ensure_ascii=False).encode("utf-8")


def test_utf7_headers_part_with_lone_surrogates_keeps_the_bounce():
    # "+2AA-" decodes to a lone surrogate in UTF-7; reading the header as UTF-8 raised.
    raw = dsn_bounce(original_subject="Invoice +2AA- and +3IA-").replace(
        "Content-Type: text/rfc822-headers", "Content-Type: text/rfc822-headers; charset=utf-7"
    )
    result = decode(raw)
    assert_user_unknown(result)
    assert result.original.subject == "Invoice \ufffd and \ufffd"
    assert_all_text(result)


def test_utf7_body_gives_text_without_surrogates():
    raw = TEXT_BOUNCE.format(subject="Undelivered Mail").replace(
        "Subject: Undelivered Mail\n",
        "Subject: Undelivered Mail\nContent-Type: text/plain; charset=utf-7\n",
    )
    raw = raw.replace("User unknown", "User unknown +2AA-")
    result = decode(raw)
    assert_user_unknown(result)
    assert result.recipients[0].diagnostic.endswith("User unknown \ufffd")
    assert_all_text(result)


def test_ses_json_escape_of_a_lone_surrogate_gives_text():
    notice = (
        '{"notificationType":"Bounce","bounce":{"bouncedRecipients":'
        '[{"emailAddress":"ivan@example.org","status":"5.1.1",'
        '"diagnosticCode":"smtp; 550 5.1.1 \\ud800 unknown"}]}}'
    )
    result = decode(SES.format(json=notice))
    assert [(r.address, r.status) for r in result.recipients] == [("ivan@example.org", "5.1.1")]
    assert result.recipients[0].diagnostic == "550 5.1.1 \ufffd unknown"
    assert_all_text(result)


def test_8bit_address_of_the_original_is_read_as_text():
    # The recipient comes from the attached original's To: when nothing else names it;
    # its raw value keeps the byte 0xFF as a surrogate.
    raw = (
        b"From: MAILER-DAEMON@mx.example.net\n"
        b"Subject: Undelivered Mail Returned to Sender\n"
        b"Content-Type: multipart/mixed; boundary=B\n\n"
        b"--B\n\nThis message could not be delivered.\n"
        b'--B\nContent-Type: message/rfc822\n\nFrom: alice@example.com\nTo: "b\xffb"@example.org\n'
        b"\nhello\n--B--\n"
    )
    result = decode(raw)
    assert [r.address for r in result.recipients] == ['"b\ufffdb"@example.org']
    assert_all_text(result)


# The counter and the log: what reaches a safety net is counted, logged without content.


def _broken_run(*args, **kwargs):
    raise ValueError("secret words about bob@example.org")


def test_a_failure_is_counted_and_logged_without_the_input(
    monkeypatch, caplog, expect_decode_failures
):
    monkeypatch.setattr(decoder_module.extractors, "run", _broken_run)
    before = decode_failures()
    with caplog.at_level(logging.ERROR, logger="errorcodes.ndr"):
        result = decode(TEXT_BOUNCE.format(subject="Undelivered Mail"))
    assert result.recipients == []  # the promise: a result, whatever happens
    assert decode_failures() == before + 1
    records = [r for r in caplog.records if r.name == "errorcodes.ndr"]
    assert len(records) == 1
    record = records[0]
    message = record.getMessage()
    assert record.levelno == logging.ERROR
    assert record.exc_info is None  # a traceback would quote the message
    # The decoder's own frame that called the broken code, then where it raised.
    assert re.fullmatch(
        r"bounce decoding failed: ValueError at errorcodes\.ndr\.decoder:_decode:\d+"
        r" via tests\.ndr\.test_parse_errors:_broken_run:\d+, caught by decode\(\)",
        message,
    )
    key = message.removeprefix("bounce decoding failed: ")
    assert failure_counts()[key] >= 1


def test_the_place_of_a_failure_is_the_decoder_code_that_called_the_raiser(
    monkeypatch, caplog, expect_decode_failures
):
    def broken_extract(src):
        return [][0]

    monkeypatch.setattr(decoder_module.extractors, "REGISTRY", (("x", broken_extract),))
    with caplog.at_level(logging.ERROR, logger="errorcodes.ndr"):
        decode(TEXT_BOUNCE.format(subject="Undelivered Mail"))
    (record,) = [r for r in caplog.records if r.name == "errorcodes.ndr"]
    assert "IndexError at errorcodes.ndr.extractors:run:" in record.getMessage()
    assert "via tests.ndr.test_parse_errors:broken_extract:" in record.getMessage()


def test_strict_mode_re_raises_after_counting(monkeypatch, expect_decode_failures):
    monkeypatch.setattr(decoder_module.extractors, "run", _broken_run)
    before = decode_failures()
    with strict(), pytest.raises(ValueError, match="secret"):
        decode(TEXT_BOUNCE.format(subject="Undelivered Mail"))
    assert decode_failures() == before + 1
    # Outside the block the promise holds again.
    assert decode(TEXT_BOUNCE.format(subject="x")).recipients == []


def test_inner_safety_nets_are_counted_once(monkeypatch, expect_decode_failures):
    def broken_locate(data, recipients):
        raise KeyError("bob@example.org")

    monkeypatch.setattr(decoder_module.evidence, "locate", broken_locate)
    before = decode_failures()
    result = decode(TEXT_BOUNCE.format(subject="Undelivered Mail"))
    assert_user_unknown(result)  # the verdicts stand without the offsets
    assert decode_failures() == before + 1
    with strict(), pytest.raises(KeyError):
        decode(TEXT_BOUNCE.format(subject="Undelivered Mail"))
    assert decode_failures() == before + 2


def test_8bit_body_of_a_multipart_without_boundary_is_read_as_text():
    # Found by the fuzz test in CI: the body was passed on with its bytes escaped.
    raw = (
        b"From: Mail Delivery Subsystem <mailer-daemon@example.com>\nTo: s@example.net\n"
        b"Subject: Delivery Status Notification (Failure)\n"
        b"X-Failed-Recipients: team-list@example.com\nMIME-Version: 1.0\n"
        b"Content-Type: multipart/report\nContent-Transfer-Encoding: 8bit\n\n"
        b"Il se peut que le groupe que vous avez essay\xc3\xa9 de contacter (team-list) "
        b"n'existe pas.\n"
    )
    recipient = decode(raw).recipients[0]
    assert recipient.address == "team-list@example.com"
    assert "essayé de contacter" in recipient.diagnostic
