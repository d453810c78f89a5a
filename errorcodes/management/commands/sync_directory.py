from django.conf import settings
from django.core.management.base import BaseCommand

from errorcodes.sync import sync_directory


class Command(BaseCommand):
    help = (
        "Install or update the shipped error code directory from fixtures/, "
        "keeping every row a site admin has edited since the last sync."
    )

    def handle(self, *args, **options):
        report = sync_directory(settings.DIRECTORY_FIXTURES_DIR)
        self.stdout.write(
            f"Directory synced: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.skipped)} kept as edited by an admin, "
            f"{len(report.removed)} no longer shipped and removed."
        )
        waiting = set(report.waiting)
        for name in report.skipped:
            if name in waiting:
                self.stdout.write(
                    f"  kept admin edit: {name} (this release's text is kept beside it: "
                    "the admin's change list shows it under 'New shipped text waiting')"
                )
            else:
                self.stdout.write(f"  kept admin edit: {name}")
        for name in report.kept_retired:
            self.stdout.write(f"  kept admin edit: {name} (no longer shipped; remove it by hand)")
