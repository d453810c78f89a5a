"""Install and update the shipped directory without overwriting admin edits.

Each shipped row remembers the values it was installed with
(``shipped_content``). On the next sync a row that still has those values is
brought up to date; a row whose values differ was edited in the admin since,
and is left as it is.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.core import serializers
from django.db import transaction

from .caching import invalidate_directory
from .models import DIRECTORY_MODELS


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # edited by an admin since the last sync
    # Skipped rows whose shipped text this release changed: kept in release_content.
    waiting: list[str] = field(default_factory=list)
    # Shipped rows a release no longer ships (merged entries): removed when untouched,
    # kept (and listed) when an admin has edited them.
    removed: list[str] = field(default_factory=list)
    kept_retired: list[str] = field(default_factory=list)


def label(obj) -> str:
    return f"{obj._meta.model_name} {obj.pk}"


def load_fixtures(directory: Path) -> list:
    """Deserialize every fixture file in ``directory``, in the order models must be saved."""
    objects = []
    for path in sorted(directory.glob("*.json")):
        with path.open(encoding="utf-8") as handle:
            objects.extend(serializers.deserialize("json", handle))
    objects.sort(key=lambda item: DIRECTORY_MODELS.index(type(item.object)))
    return objects


def retire(shipped_keys: set, report: SyncReport) -> None:
    """Remove the shipped rows a release no longer ships, unless an admin edited them.

    Rows an admin added (never shipped) are not touched.  Referring rows go first.
    """
    # Judge every row before deleting any: deleting one retired row changes the
    # relations of another, which would then look edited.
    retired = [
        (row, row.edited_since_shipped())
        for model in reversed(DIRECTORY_MODELS)
        for row in model.objects.exclude(shipped_content={})
        if (model, row.pk) not in shipped_keys
    ]
    for row, edited in retired:
        if edited:
            report.kept_retired.append(label(row))
        else:
            report.removed.append(label(row))
            row.delete()


def take_newer_review_dates(current, shipped) -> None:
    """A row the release installs takes the release's review date when it is newer."""
    newer = {}
    for name in type(current).review_fields:
        released, installed = getattr(shipped, name), getattr(current, name)
        if released and (not installed or released > installed):
            newer[name] = released
    if newer:
        type(current).objects.filter(pk=current.pk).update(**newer)


@transaction.atomic
def sync_directory(directory: Path) -> SyncReport:
    """Create missing rows, update untouched ones, skip admin-edited ones."""
    report = SyncReport()
    pending_relations = []
    items = load_fixtures(directory)
    shipped_keys = {(type(item.object), item.object.pk) for item in items}
    for item in items:
        shipped = item.object
        model = type(shipped)
        shipped_values = shipped.content_values(m2m=item.m2m_data)
        current = model.objects.filter(pk=shipped.pk).first()
        if current is None:
            shipped.shipped_content = shipped_values
            shipped.save()
            pending_relations.append((shipped, item.m2m_data))
            report.created.append(label(shipped))
            continue
        # A new release may render Markdown differently: refresh every row's HTML.
        if changed_html := current.render_html():
            model.objects.filter(pk=current.pk).update(
                **{name: getattr(current, name) for name in changed_html}
            )
        current_values = current.content_values()
        if all(current_values.get(name) == value for name, value in shipped_values.items()):
            if current.shipped_content != shipped_values or current.release_content:
                model.objects.filter(pk=current.pk).update(
                    shipped_content=shipped_values, release_content={}
                )
            take_newer_review_dates(current, shipped)
            report.unchanged.append(label(current))
        elif not current.edited_since_shipped():
            for name in model.content_field_names():
                f = model._meta.get_field(name)
                if not f.many_to_many:
                    setattr(current, f.attname, getattr(shipped, f.attname))
            current.shipped_content, current.release_content = shipped_values, {}
            current.save()
            take_newer_review_dates(current, shipped)
            pending_relations.append((current, item.m2m_data))
            report.updated.append(label(current))
        else:
            # Keep the release's text beside the admin's, for merging by hand.
            waiting = shipped_values if shipped_values != current.shipped_content else {}
            if current.release_content != waiting:
                model.objects.filter(pk=current.pk).update(release_content=waiting)
            if waiting:
                report.waiting.append(label(current))
            report.skipped.append(label(current))
    # Relations last: a code may name related codes that come later in the files.
    for obj, m2m_data in pending_relations:
        for name, pks in m2m_data.items():
            target = obj._meta.get_field(name).related_model
            getattr(obj, name).set(target.objects.filter(pk__in=pks))
    retire(shipped_keys, report)
    # Bulk updates above send no signals: make the cached pages stale here.
    invalidate_directory()
    return report
