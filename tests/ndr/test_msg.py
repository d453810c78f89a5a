"""Outlook .msg input (errorcodes/ndr/msg.py), on the samples in samples/msg/.

The samples are written by samples/msg/make_samples.js (npm "cfb"); the tests
read the committed files and never need Node.  Every decode here runs under
failures.strict(): an exception that reaches a safety net fails the test.
"""

import subprocess
import sys
from pathlib import Path

import extract_msg
import pytest

from errorcodes.ndr import decode, decode_failures, msg, source
from errorcodes.ndr.failures import strict

from .conftest import SAMPLES

MSG_SAMPLES = SAMPLES / "msg"
REPO = Path(__file__).resolve().parents[2]


def read(name: str) -> bytes:
    return (MSG_SAMPLES / name).read_bytes()


def decode_strictly(data):
    with strict():
        return decode(data)


def only_recipient(result):
    assert len(result.recipients) == 1, result.recipients
    return result.recipients[0]


# --- The samples, one test each --------------------------------------------------------


def test_current_layout_report_with_the_original_attached_as_a_message():
    result = decode_strictly(read("ndr-current.msg"))
    assert result.is_bounce
    assert (result.provider, result.layout) == ("microsoft365", "microsoft_current")
    assert result.reporting_mta == "am7pr03mb6472.eurprd03.prod.outlook.com"
    assert len(result.hops) == 2
    rcpt = only_recipient(result)
    assert rcpt.address == "lena.fischer@contoso.com"
    assert (rcpt.action, rcpt.status, rcpt.reply_code) == ("failed", "5.1.10", "550")
    assert rcpt.hard_bounce is True
    assert rcpt.exception == "RESOLVER.ADR.RecipientNotFound"
    # The attached message's own transport headers are the original's headers.
    assert result.original.subject == "Q3 planning notes"
    assert result.original.from_ == "Nora Diaz <nora.diaz@northwindtraders.com>"
    assert result.original.message_id == (
        "<AM7PR03MB6472A1B2C3D4E5F6@AM7PR03MB6472.eurprd03.prod.outlook.com>"
    )


def test_current_layout_body_is_read_from_the_html_property():
    src = source.load(read("ndr-current.msg"))
    assert src.is_message
    assert "couldn't be delivered" in src.text
    assert "<div" not in src.text and "font-family" not in src.text
    # The report's own transport headers.
    assert src.header("subject") == "Undeliverable: Q3 planning notes"
    assert "x-ms-exchange-message-is-ndr" in src.headers
    assert src.report_type == "delivery-status"
    # The text names the recipient and its codes: the recipient table adds nothing.
    assert src.dsn_blocks == []


def test_classic_layout_report_with_the_original_attached_without_headers():
    result = decode_strictly(read("ndr-classic.msg"))
    assert result.is_bounce
    assert (result.provider, result.layout) == ("exchange", "microsoft_classic")
    assert result.reporting_mta == "exch02.fabrikam.com"
    rcpt = only_recipient(result)
    assert rcpt.address == "kim.akers@fabrikam.com"
    assert (rcpt.status, rcpt.reply_code, rcpt.hard_bounce) == ("5.1.1", "550", True)
    assert rcpt.exception == "RESOLVER.ADR.ExRecipNotFound"
    # Built from the attached message's properties (it has no transport headers):
    # its submit time in UTC, where the body's copy of the headers says +0100.
    original = result.original
    assert original.subject == "Purchase order 4471"
    assert original.from_ == "Sam Taylor <sam.taylor@fabrikam.com>"
    assert original.to == "Kim Akers <kim.akers@fabrikam.com>"
    assert original.date == "Tue, 11 Mar 2025 14:02:08 +0000"
    assert original.message_id == "<7d41c0a9e2b34f6c8a15d9e0f3b27c64@EXCH01.fabrikam.com>"


def test_report_headers_come_from_properties_when_it_has_no_transport_headers():
    src = source.load(read("ndr-classic.msg"))
    assert src.header("subject") == "Undeliverable: Purchase order 4471"
    assert src.header("from") == "Microsoft Outlook <postmaster@fabrikam.com>"
    assert src.header("date") == "Tue, 11 Mar 2025 14:02:10 +0000"


def test_bounce_kept_from_an_imap_account_reads_its_attached_parts():
    # IPM.Note (no report class): the delivery-status part and the original are
    # attached files.
    result = decode_strictly(read("postfix-imap.msg"))
    assert result.is_bounce
    assert (result.provider, result.layout) == ("postfix", "dsn")
    assert result.reporting_mta == "mail.example.org"
    rcpt = only_recipient(result)
    assert rcpt.address == "omar.haddad@example.net"
    assert (rcpt.status, rcpt.reply_code, rcpt.hard_bounce) == ("5.1.1", "550", True)
    assert rcpt.remote_mta == "mx1.example.net"
    assert result.original.subject == "Workshop agenda"
    assert result.original.message_id == "<c3f1e2d4-5a6b-4c7d-8e9f-0a1b2c3d4e5f@example.org>"


def test_thin_report_body_gives_way_to_the_recipient_table():
    # The body names the recipients by display name only and gives no code.
    result = decode_strictly(read("ndr-thin-body.msg"))
    assert result.is_bounce
    assert result.layout == "dsn"
    omar, pat = result.recipients
    assert omar.address == "omar.haddad@example.net"
    # From PR_SUPPLEMENTARY_INFO "<mx1.example.net #5.1.1 smtp;550 5.1.1 ...>".
    assert (omar.status, omar.reply_code, omar.hard_bounce) == ("5.1.1", "550", True)
    assert omar.remote_mta == "mx1.example.net"
    assert "User unknown" in omar.diagnostic
    # An X.500 address and PR_SMTP_ADDRESS: the SMTP one.  No supplementary
    # information: the status is PR_NDR_STATUS_CODE's 522.
    assert pat.address == "pat.kowalski@fabrikam.com"
    assert (pat.action, pat.status, pat.reply_code) == ("failed", "5.2.2", None)
    assert pat.hard_bounce is False
    # The original, from the report's PR_ORIGINAL_* properties.
    assert result.original.subject == "Board pack"
    assert result.original.date == "Thu, 13 Mar 2025 07:02:11 +0000"


def test_thin_report_recipient_table_becomes_a_delivery_status_block():
    src = source.load(read("ndr-thin-body.msg"))
    assert src.dsn_blocks == [
        "Final-Recipient: rfc822; omar.haddad@example.net\n"
        "Action: failed\n"
        "Status: 5.1.1\n"
        "Remote-MTA: dns; mx1.example.net\n"
        "Diagnostic-Code: smtp;550 5.1.1 <omar.haddad@example.net>: Recipient address "
        "rejected: User unknown in virtual mailbox table\n"
        "X-Display-Name: Omar Haddad\n"
        "\n"
        "Final-Recipient: rfc822; pat.kowalski@fabrikam.com\n"
        "Action: failed\n"
        "Status: 5.2.2\n"
        "X-Display-Name: Pat Kowalski\n"
    ]


def test_report_kept_only_as_rtf_reads_the_html_it_wraps():
    result = decode_strictly(read("ndr-rtf-body.msg"))
    assert result.is_bounce
    assert (result.provider, result.layout) == ("microsoft365", "microsoft_current")
    assert result.reporting_mta == "pa4pr08mb7123.eurprd08.prod.outlook.com"
    rcpt = only_recipient(result)
    assert rcpt.address == "dana.ruiz@contoso.com"
    assert (rcpt.status, rcpt.reply_code) == ("5.4.1", "550")
    assert result.original.subject == "Invoice 2025-031"


def test_ordinary_message_is_not_a_bounce():
    result = decode_strictly(read("plain-message.msg"))
    assert not result.is_bounce
    assert result.recipients == []
    # Its strings are PT_STRING8 in code page 1252.
    src = source.load(read("plain-message.msg"))
    assert src.header("subject") == "Caf\u00e9 on Friday?"
    assert "the caf\u00e9 near the station" in src.text
    assert src.dsn_blocks == []


# --- Damaged files ---------------------------------------------------------------------


def test_truncated_file_keeps_what_was_stored_before_the_cut():
    # Cut inside the mini stream (make_samples.js): the directory and the large
    # HTML body are whole; of the small properties, those stored after the cut
    # are lost, among them all of the attached message's.
    data = read("ndr-current-truncated.msg")
    before = decode_failures()
    result = decode_strictly(data)
    assert decode_failures() == before
    assert result.is_bounce
    assert result.layout == "microsoft_current"
    rcpt = only_recipient(result)
    assert rcpt.address == "lena.fischer@contoso.com"
    assert (rcpt.status, rcpt.reply_code, rcpt.hard_bounce) == ("5.1.10", "550", True)
    # The report's PR_ORIGINAL_* properties were stored before the cut, the
    # attached message's after it.
    assert result.original.subject == "Q3 planning notes"
    assert result.original.message_id is None
    # The report's transport headers were before the cut.
    assert source.load(data).header("subject") == "Undeliverable: Q3 planning notes"


def test_file_cut_before_its_directory_ends_reads_nothing_and_does_not_raise():
    data = read("ndr-current.msg")[:1024]
    result = decode_strictly(data)
    assert not result.is_bounce
    assert result.recipients == []


@pytest.mark.parametrize("name", sorted(p.name for p in MSG_SAMPLES.glob("*.msg")))
def test_sample_cut_or_patched_anywhere_never_raises(name):
    data = read(name)
    for at in range(0, len(data), 211):
        decode_strictly(data[:at])
        decode_strictly(data[:at] + b"\xff\xfe\x00\x01" * 4 + data[at + 16 :])


def test_bytearray_and_memoryview_inputs_are_read_as_msg():
    data = read("ndr-classic.msg")
    for given in (bytearray(data), memoryview(data)):
        assert only_recipient(decode_strictly(given)).status == "5.1.1"


def test_bug_in_the_reader_is_counted_and_the_text_read_so_far_kept(
    monkeypatch, expect_decode_failures
):
    def broken(reader, src, texts, report_original):
        texts.append("Delivery has failed to these recipients or groups:")
        raise RuntimeError("bug")

    monkeypatch.setattr(msg, "_read_message", broken)
    before = decode_failures()
    src = source.load(read("ndr-classic.msg"))
    assert decode_failures() == before + 1
    assert src.text.startswith("Delivery has failed")
    with strict(), pytest.raises(RuntimeError):
        source.load(read("ndr-classic.msg"))


# --- Pieces -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        (
            "< #5.1.10 smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; not found>",
            (None, "5.1.10", "smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; not found"),
        ),
        ("<mx.example.net #4.4.7>", ("mx.example.net", "4.4.7", None)),
        ("mx.example.net #5.7.1 smtp;550 denied", ("mx.example.net", "5.7.1", "smtp;550 denied")),
    ],
)
def test_supplementary_info_is_split_into_host_status_and_diagnostic(info, expected):
    found = msg.SUPPLEMENTARY_RE.match(info)
    assert found is not None
    assert (found["mta"], found["status"], found["diagnostic"] or None) == expected


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (511, "5.1.1"),
        (522, "5.2.2"),
        (447, "4.4.7"),
        (510, "5.1.0"),
        (0, None),
        (-1, None),
        (311, None),
        (999, None),
        (None, None),
        (4294967295, None),
    ],
)
def test_ndr_status_code_reads_back_as_a_status(code, status):
    assert msg._status_of_code(code) == status


def test_samples_open_with_extract_msg():
    """The samples are well-formed .msg files for extract-msg's own reader."""
    expected = {
        "ndr-current.msg": ("REPORT.IPM.Note.NDR", "Undeliverable: Q3 planning notes", 1, 1),
        "ndr-classic.msg": ("REPORT.IPM.Note.NDR", "Undeliverable: Purchase order 4471", 1, 1),
        "postfix-imap.msg": ("IPM.Note", "Undelivered Mail Returned to Sender", 1, 2),
        "ndr-thin-body.msg": ("REPORT.IPM.Note.NDR", "Undeliverable: Board pack", 2, 0),
        "ndr-rtf-body.msg": ("REPORT.IPM.Note.NDR", "Undeliverable: Invoice 2025-031", 1, 0),
        "plain-message.msg": ("IPM.Note", "Caf\u00e9 on Friday?", 2, 0),
    }
    for name, (message_class, subject, recipients, attachments) in expected.items():
        with extract_msg.openMsg(str(MSG_SAMPLES / name)) as item:
            assert item.classType == message_class, name
            assert item.subject == subject, name
            assert len(item.recipients) == recipients, name
            assert len(item.attachments) == attachments, name
            assert item.body or item.htmlBody or item.compressedRtf, name
    with extract_msg.openMsg(str(MSG_SAMPLES / "ndr-classic.msg")) as item:
        (attached,) = item.attachments
        assert attached.data.subject == "Purchase order 4471"
        assert "Delivery has failed" in item.body


def test_decoding_other_input_never_imports_the_msg_reader():
    code = f"""
import sys
from errorcodes.ndr import decode
assert "extract_msg" not in sys.modules and "olefile" not in sys.modules
for path in ("ms-classic-01.eml", "prose.txt", "postfix-multi-dsn.eml"):
    decode(open({str(SAMPLES)!r} + "/" + path, "rb").read())
decode("550 5.1.1 <a@example.com>: Recipient address rejected")
decode(b"\\xd0\\xcf\\x11")  # the start of the signature is not a .msg
loaded = [m for m in ("extract_msg", "olefile", "errorcodes.ndr.msg") if m in sys.modules]
assert loaded == [], loaded
decode(open({str(MSG_SAMPLES / "ndr-classic.msg")!r}, "rb").read())
assert "extract_msg" in sys.modules
"""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
