"""POST /api/decode: the decoder for programs."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "ndr" / "samples"
URL = "/api/decode"


def raw(client, body: bytes | str, content_type: str = "text/plain", **extra):
    return client.generic("POST", URL, body, content_type=content_type, **extra)


def test_raw_message_gives_every_field_with_the_directory_entry(client):
    response = raw(client, (SAMPLES / "ms-classic-01.eml").read_bytes(), "message/rfc822")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["is_bounce"] is True
    assert data["provider"] == "exchange"
    (rcpt,) = data["recipients"]
    assert rcpt["address"] == "jane.doe@contoso.com"
    assert rcpt["status"] == "5.1.1"
    assert rcpt["reply_code"] == "550"
    assert rcpt["permanent"] is True
    assert rcpt["hard_bounce"] is True
    assert rcpt["entry"] == "5-1-1"
    assert rcpt["entry_url"] == "http://testserver/codes/5-1-1/"
    assert rcpt["explanation"]["title"] == "Mailbox Does Not Exist"
    for key in ("action", "diagnostic", "remote_mta", "component", "exception",
                "antispam_rule", "status_inferred"):  # fmt: skip
        assert key in rcpt


def test_json_body(client):
    body = json.dumps({"text": "550 5.7.606 Access denied, banned sending IP [198.51.100.23]"})
    data = raw(client, body, "application/json").json()
    assert data["recipients"][0]["status"] == "5.7.606"
    assert data["recipients"][0]["permanent"] is True


def test_multipart_upload(client):
    upload = SimpleUploadedFile("b.eml", (SAMPLES / "postfix-multi-dsn.eml").read_bytes())
    data = client.post(URL, {"file": upload}).json()
    assert [r["address"] for r in data["recipients"]] == ["alice@example.org", "carol@example.org"]
    assert [r["status"] for r in data["recipients"]] == ["5.1.1", "5.2.2"]


def test_not_a_bounce(client):
    data = raw(client, (SAMPLES / "prose.txt").read_bytes()).json()
    assert data["is_bounce"] is False
    assert data["recipients"] == []


def test_binary_garbage_is_not_a_server_error(client):
    response = raw(client, bytes(range(256)) * 100, "application/octet-stream")
    assert response.status_code == 200
    assert response.json()["is_bounce"] is False


@pytest.mark.parametrize(
    "body, content_type, status, message",
    [
        (b"", "text/plain", 400, "no bounce"),
        (b"   \n", "message/rfc822", 400, "no bounce"),
        (b"{not json", "application/json", 400, "not valid JSON"),
        (b'{"txt": 1}', "application/json", 400, '"text" string'),
        (b"550 5.1.1", "image/png", 415, "text/plain"),
        (b"550 5.1.1", "application/x-www-form-urlencoded", 415, "multipart"),
    ],
)
def test_bad_requests_get_a_json_error(client, body, content_type, status, message):
    response = raw(client, body, content_type)
    assert response.status_code == status
    assert message in response.json()["error"]


def test_too_large_is_413_without_reading_the_body(client, settings):
    settings.DECODER_MAX_BYTES = 1000
    response = raw(client, b"x" * 10, CONTENT_LENGTH="5000000")
    assert response.status_code == 413
    assert "limit" in response.json()["error"]
    assert raw(client, b"550 5.1.1 " * 200).status_code == 413


def test_other_methods_get_405(client):
    response = client.get(URL)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json() == {"error": "Use POST."}


def test_the_api_needs_no_csrf_token(client):
    csrf_client = type(client)(enforce_csrf_checks=True)
    assert raw(csrf_client, "550 5.1.1 user unknown").status_code == 200


def test_rate_limit_answers_429_in_json(client, settings):
    settings.DECODER_RATE_LIMIT = "3/h"  # hourly: no window boundary mid-test
    for _ in range(3):
        assert raw(client, "550 5.1.1 user unknown").status_code == 200
    response = raw(client, "550 5.1.1 user unknown")
    assert response.status_code == 429
    assert "Too many requests" in response.json()["error"]


def test_directory_is_read_once_per_version_and_edits_show_at_once(
    client, django_assert_num_queries
):
    from errorcodes.models import ErrorCode

    body = (SAMPLES / "ms-classic-01.eml").read_bytes()
    raw(client, body, "message/rfc822")  # reads the directory
    with django_assert_num_queries(0):
        assert raw(client, body, "message/rfc822").json()["recipients"][0]["entry"] == "5-1-1"
    entry = ErrorCode.objects.get(slug="5-1-1")
    entry.title = "No such mailbox at the recipient's side"
    entry.save()  # as the admin saves: the directory's version changes
    data = raw(client, body, "message/rfc822").json()
    assert (
        data["recipients"][0]["explanation"]["title"] == "No such mailbox at the recipient's side"
    )


def test_the_api_and_the_command_line_answer_the_same(client, capsys):
    from errorcodes.lookup import EntryIndex
    from errorcodes.ndr.cli import run

    path = SAMPLES / "text" / "postfix-expanded-from.txt"
    api = raw(client, path.read_bytes()).json()
    run([str(path)], fmt="json", entry_lookup=EntryIndex.load())
    cli = json.loads(capsys.readouterr().out)
    for key in ("is_bounce", "provider", "layout", "reporting_mta", "original", "hops"):
        assert api[key] == cli[key]
    (from_api,), (from_cli,) = api["recipients"], cli["recipients"]
    assert {k: v for k, v in from_api.items() if k in from_cli} == from_cli
    assert from_cli["original_address"] and from_cli["evidence"]["status"]["start"] is not None
    assert from_cli["entry"] == from_api["entry"] == "5-1-1"


def test_each_recipient_says_what_its_verdicts_rest_on(client):
    text = "<pat@example.org>: host mx.example.org[192.0.2.1] said: 550 No such user here"
    (rcpt,) = raw(client, text).json()["recipients"]
    assert (rcpt["status"], rcpt["status_inferred"], rcpt["reason"]) == (
        "5.0.0",
        True,
        "user_unknown",
    )
    status, hard = rcpt["evidence"]["status"], rcpt["evidence"]["hard_bounce"]
    assert (status["basis"], text[status["start"] : status["end"]]) == ("reply code", "550")
    assert (hard["basis"], text[hard["start"] : hard["end"]]) == ("wording", "No such user")
    assert rcpt["entry"] == "5-1-1"  # found by what the words mean


def test_the_api_gives_the_root_cause_the_reply_in_context_and_the_listed_ip(client):
    expired = raw(
        client,
        "Remote Server returned '550 4.4.7 QUEUE.Expired; message expired [LastError: 451 4.4.1 "
        "Error encountered while communicating with primary target IP address]'",
    ).json()["recipients"][0]
    assert expired["entry"] == "4-4-7"
    assert expired["underlying_error"].startswith("451 4.4.1 Error encountered")
    assert expired["underlying_entry"] == "4-4-1"

    banned = raw(
        client,
        "550 5.7.606 Access denied, banned sending IP [198.51.100.23]. To request removal from "
        "this list please visit https://sender.office.com/ and follow the directions.",
    ).json()["recipients"][0]
    assert banned["listed_ip"] == "198.51.100.23"
    assert banned["explanation"]["reply"].startswith("550: the receiving server refused")
    assert any("198.51.100.23" in step for step in banned["explanation"]["delist_steps"])
