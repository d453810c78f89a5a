"""sync_directory installs the shipped directory and keeps admin edits."""

import json
import shutil
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from errorcodes.models import Component, ErrorCode, FaqEntry, Provider, SenderTool
from errorcodes.sync import sync_directory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(tmp_path):
    """A writable copy of the shipped fixtures, to play the next release."""
    target = tmp_path / "fixtures"
    shutil.copytree(settings.DIRECTORY_FIXTURES_DIR, target)
    return target


def edit_shipped_code(directory, slug, **changes):
    for path in directory.glob("*.json"):
        rows = json.loads(path.read_text())
        for row in rows:
            if row["model"] == "errorcodes.errorcode" and row["pk"] == slug:
                row["fields"].update(changes)
                path.write_text(json.dumps(rows))
                return
    raise AssertionError(f"{slug} not shipped")


def run_sync(**kwargs) -> str:
    out = StringIO()
    call_command("sync_directory", stdout=out, **kwargs)
    return out.getvalue()


def test_sync_on_an_empty_database_installs_everything():
    for model in (SenderTool, FaqEntry, ErrorCode, Component, Provider):
        model.objects.all().delete()
    output = run_sync()
    assert ErrorCode.objects.count() >= 14
    assert Component.objects.count() >= 4
    assert "created" in output
    code = ErrorCode.objects.get(slug="5-7-13")
    assert code.fix_html.startswith("<")
    assert code.related.exists()


def test_second_sync_changes_nothing():
    output = run_sync()
    assert " 0 created, 0 updated," in output
    assert "0 kept as edited" in output


def test_admin_edit_survives_sync(admin_client):
    code = ErrorCode.objects.get(slug="5-2-3")
    form = {
        field: value
        for field, value in {
            "provider": code.provider_id,
            "reply_code": code.reply_code,
            "status": code.status,
            "also_matches": code.also_matches,
            "title": "Too big for this mailbox (edited)",
            "frequency": code.frequency,
            "impact": code.impact,
            "basis": code.basis,
            "area": code.area,
            "order": code.order,
            "component": code.component_id or "",
            "microsoft_behaviour": code.microsoft_behaviour,
            "explanation_md": code.explanation_md,
            "fix_md": "1. Our own house rule: send a link instead.",
            "example_bounce": code.example_bounce,
            "related": [r.pk for r in code.related.all()],
            "fixable_by_sender": "on" if code.fixable_by_sender else "",
        }.items()
        if value != ""
    }
    response = admin_client.post(f"/admin/errorcodes/errorcode/{code.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]

    output = run_sync()

    code.refresh_from_db()
    assert code.title == "Too big for this mailbox (edited)"
    assert "house rule" in code.fix_html
    assert "errorcode 5-2-3" in output
    assert "kept admin edit" in output


def test_an_upgrade_updates_untouched_rows_but_not_edited_ones(shipped):
    edited = ErrorCode.objects.get(slug="5-7-13")
    edited.title = "Edited by our admin"
    edited.save()
    edit_shipped_code(shipped, "5-7-13", title="Shipped in the next release")
    edit_shipped_code(shipped, "5-1-1", title="Better shipped title")

    report = sync_directory(shipped)

    assert ErrorCode.objects.get(slug="5-7-13").title == "Edited by our admin"
    assert ErrorCode.objects.get(slug="5-1-1").title == "Better shipped title"
    assert "errorcode 5-7-13" in report.skipped
    assert "errorcode 5-1-1" in report.updated


def test_an_upgrade_can_update_relations(shipped):
    edit_shipped_code(shipped, "5-1-1", related=["5-2-1"])
    sync_directory(shipped)
    assert [c.slug for c in ErrorCode.objects.get(slug="5-1-1").related.all()] == ["5-2-1"]


def test_a_row_an_admin_added_is_left_alone(shipped):
    ErrorCode.objects.create(
        slug="5-9-99",
        provider_id="microsoft365",
        reply_code="550",
        status="5.9.99",
        title="House code",
        area="policy",
        microsoft_behaviour="x",
        explanation_md="x",
        fix_md="x",
    )
    sync_directory(shipped)
    assert ErrorCode.objects.get(slug="5-9-99").title == "House code"


def test_sync_refreshes_html_rendered_by_an_older_release():
    ErrorCode.objects.filter(slug="5-1-1").update(fix_html="<p>stale</p>")
    sync_directory(settings.DIRECTORY_FIXTURES_DIR)
    code = ErrorCode.objects.get(slug="5-1-1")
    assert code.fix_html != "<p>stale</p>"
    assert "<ol>" in code.fix_html


def test_a_field_added_by_a_later_release_does_not_look_like_an_edit(shipped):
    # As if "variant" did not exist when this row was installed.
    code = ErrorCode.objects.get(slug="5-1-1")
    del code.shipped_content["variant"]
    ErrorCode.objects.filter(slug="5-1-1").update(shipped_content=code.shipped_content)
    edit_shipped_code(shipped, "5-1-1", title="Renamed in the next release")

    report = sync_directory(shipped)

    assert "errorcode 5-1-1" in report.updated
    assert ErrorCode.objects.get(slug="5-1-1").title == "Renamed in the next release"


def test_a_field_a_later_release_stops_shipping_does_not_look_like_an_edit(shipped):
    # Rows installed while "tier" was still an editable, shipped field.
    code = ErrorCode.objects.get(slug="5-1-1")
    ErrorCode.objects.filter(slug="5-1-1").update(
        shipped_content={**code.shipped_content, "tier": "1"}
    )
    edit_shipped_code(shipped, "5-1-1", title="Renamed in the next release")

    report = sync_directory(shipped)

    assert "errorcode 5-1-1" in report.updated
    assert not report.skipped


def drop_shipped_codes(directory, *slugs):
    path = directory / "codes.json"
    rows = json.loads(path.read_text())
    kept = [row for row in rows if row["pk"] not in slugs]
    for row in kept:
        row["fields"]["related"] = [s for s in row["fields"]["related"] if s not in slugs]
    path.write_text(json.dumps(kept))
    for name in ("exceptions.json", "antispam.json", "redirects.json", "tools.json"):
        other = directory / name
        entries = json.loads(other.read_text())
        for row in entries:
            fields = row["fields"]
            for key in ("entry", "code"):
                if fields.get(key) in slugs:
                    fields[key] = kept[0]["pk"]
            if "codes" in fields:
                fields["codes"] = [s for s in fields["codes"] if s not in slugs]
        other.write_text(json.dumps(entries))


def test_an_entry_a_release_merges_away_is_removed_unless_an_admin_edited_it(shipped):
    # 5-7-12 and 5-7-13 point at each other: removing one must not make the other
    # look edited.
    assert ErrorCode.objects.get(slug="5-7-12").related.filter(slug="5-7-13").exists()
    edited = ErrorCode.objects.get(slug="5-2-1")
    edited.title = "Our own wording"
    edited.save()
    drop_shipped_codes(shipped, "5-7-12", "5-7-13", "5-2-1")

    report = sync_directory(shipped)

    assert not ErrorCode.objects.filter(slug__in=["5-7-12", "5-7-13"]).exists()
    assert {"errorcode 5-7-12", "errorcode 5-7-13"} <= set(report.removed)
    assert ErrorCode.objects.get(slug="5-2-1").title == "Our own wording"
    assert report.kept_retired == ["errorcode 5-2-1"]
