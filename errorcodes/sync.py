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


@transaction.atomic
def sync_directory(directory: Path) -> SyncReport:
    """Create missing rows, update untouched ones, skip admin-edited ones."""
    report = SyncReport()
    pending_relations = []
    for item in load_fixtures(directory):
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
            if current.shipped_content != shipped_values:
                model.objects.filter(pk=current.pk).update(shipped_content=shipped_values)
            report.unchanged.append(label(current))
        elif not current.edited_since_shipped():
            for name in model.content_field_names():
                f = model._meta.get_field(name)
                if not f.many_to_many:
                    setattr(current, f.attname, getattr(shipped, f.attname))
            current.shipped_content = shipped_values
            current.save()
            pending_relations.append((current, item.m2m_data))
            report.updated.append(label(current))
        else:
            report.skipped.append(label(current))
    # Relations last: a code may name related codes that come later in the files.
    for obj, m2m_data in pending_relations:
        for name, pks in m2m_data.items():
            target = obj._meta.get_field(name).related_model
            getattr(obj, name).set(target.objects.filter(pk__in=pks))
    # Bulk updates above send no signals: make the cached pages stale here.
    invalidate_directory()
    return report
