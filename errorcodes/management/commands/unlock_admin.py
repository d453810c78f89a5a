from django.core.management.base import BaseCommand

from decoder_site.logins import unlock_account


class Command(BaseCommand):
    help = "Unlock an admin account locked after repeated failed sign-ins."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        unlock_account(username)
        self.stdout.write(f"Sign-ins to {username} are accepted again.")
