"""Many bounces at once on the site: an mbox or a zip, decoded message by message."""

import csv
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "ndr" / "samples"
MESSAGES = ["postfix-multi-dsn.eml", "ms-classic-01.eml", "autoreply.eml"]


def mbox(names=MESSAGES) -> bytes:
    parts = []
    for name in names:
        body = (SAMPLES / name).read_bytes().replace(b"\nFrom ", b"\n>From ")
        parts.append(b"From MAILER-DAEMON Thu Feb  6 09:00:00 2025\n" + body.rstrip(b"\n") + b"\n")
    return b"\n".join(parts) + b"\n"


def zipped(names=MESSAGES) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.writestr(f"bounces/{name}", (SAMPLES / name).read_bytes())
    return buffer.getvalue()


@pytest.mark.parametrize("name, data", [("bounces.mbox", mbox()), ("bounces.zip", zipped())])
def test_an_mbox_or_a_zip_upload_is_explained_message_by_message(client, name, data):
    upload = SimpleUploadedFile(name, data, "application/octet-stream")
    page = client.post("/decode/", {"file": upload}).content.decode()
    assert "<strong>3 messages</strong> read from the upload: 2 bounces, 1 not a bounce" in page
    assert "3 recipients were not delivered, for 3 different reasons." in page
    assert "alice@example.org" in page and "carol@example.org" in page


def test_the_csv_of_a_mailbox_names_each_recipients_message(client):
    upload = SimpleUploadedFile("bounces.mbox", mbox(), "application/mbox")
    response = client.post("/decode/csv/", {"file": upload})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["message"] for row in rows} == {"bounces.mbox #1", "bounces.mbox #2"}
    assert {row["address"] for row in rows if row["message"] == "bounces.mbox #1"} == {
        "alice@example.org",
        "carol@example.org",
    }


def test_the_api_answers_a_mailbox_with_one_answer_per_message(client):
    response = client.post("/api/decode", zipped(), content_type="application/zip")
    data = response.json()
    assert response.status_code == 200
    assert data["messages_total"] == 3 and data["bounces"] == 2
    assert data["recipients_total"] == 3 and data["truncated"] is False
    first = data["messages"][0]
    assert first["message"] == "upload: bounces/postfix-multi-dsn.eml"
    assert {r["address"] for r in first["recipients"]} == {"alice@example.org", "carol@example.org"}
    assert data["messages"][2]["is_bounce"] is False


def test_more_messages_than_the_site_decodes_point_to_the_command_line(client, settings):
    settings.DECODER_BULK_MAX_MESSAGES = 2
    upload = SimpleUploadedFile("bounces.mbox", mbox(), "application/mbox")
    response = client.post("/decode/", {"file": upload})
    assert response.status_code == 413
    page = response.content.decode()
    assert "The site decodes up to 2 messages at once" in page
    assert "bounce-decoder decode --format csv bounces.mbox" in page
    api = client.post("/api/decode", mbox(), content_type="application/mbox")
    assert api.status_code == 413 and "up to 2 messages" in api.json()["error"]


def test_a_zip_bomb_is_refused_before_it_is_unpacked(client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.eml", b"\0" * (200 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024
    response = client.post("/api/decode", buffer.getvalue(), content_type="application/zip")
    assert response.status_code == 413
    assert "cannot be read here" in response.json()["error"]


MSG = SAMPLES / "msg" / "ndr-current.msg"


def test_an_outlook_msg_is_decoded_on_the_page_and_by_the_api(client):
    upload = SimpleUploadedFile("bounce.msg", MSG.read_bytes(), "application/vnd.ms-outlook")
    page = client.post("/decode/", {"file": upload}).content.decode()
    assert "lena.fischer@contoso.com" in page and "5.1.10" in page
    api = client.post("/api/decode", MSG.read_bytes(), content_type="application/vnd.ms-outlook")
    recipient = api.json()["recipients"][0]
    assert recipient["address"] == "lena.fischer@contoso.com"
    assert recipient["status"] == "5.1.10" and recipient["entry"] == "5-1-10"


def test_a_msg_over_the_decode_limit_but_within_what_is_read_is_decoded(client, settings):
    settings.DECODER_MAX_BYTES = 1000  # the sample is larger: its attachments do not count
    upload = SimpleUploadedFile("bounce.msg", MSG.read_bytes(), "application/vnd.ms-outlook")
    response = client.post("/decode/", {"file": upload})
    assert response.status_code == 200
    assert "lena.fischer@contoso.com" in response.content.decode()
