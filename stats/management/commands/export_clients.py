"""python manage.py export_clients list|create NAME|revoke NAME"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from stats.models import ExportClient
from stats.services.export_clients import export_client_create, export_client_revoke
from tolk.errors import DomainError


def _when(value: Any) -> str:
    return "never" if value is None else f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


class Command(BaseCommand):
    help = (
        "Statistics export clients: machines (such as IMDi's national collector) that may "
        "download this installation's facts from /api/v1/stats/facts/ and nothing else. "
        "`create NAME` prints the new token once on stdout (only its hash is kept); give it to "
        "the other side over a safe channel. `list` shows every client with its last use; "
        "`revoke NAME` ends a client's access at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["list", "create", "revoke"])
        parser.add_argument("name", nargs="?", help="the client's name (create, revoke)")

    def handle(self, *args: Any, **options: Any) -> None:
        action, name = options["action"], options["name"]
        if action == "list":
            for client in ExportClient.objects.order_by("name"):
                state = f"revoked {_when(client.revoked_at)}" if client.revoked_at else "active"
                self.stdout.write(
                    f"{client.name}\t{client.token_id}\tlast used {_when(client.last_used_at)}"
                    f"\t{state}"
                )
            return
        if not name:
            raise CommandError(f"{action} needs the client's NAME")
        if action == "create":
            try:
                _client, token = export_client_create(name=name, created_by=None)
            except DomainError as exc:
                raise CommandError(f"{exc.message_en} [{exc.code}]") from None
            self.stdout.write(token)
            self.stderr.write(f"Export client '{name}' created; the token above is shown once.")
            return
        found = ExportClient.objects.filter(name=name).first()
        if found is None:
            raise CommandError(f"No export client is called '{name}'.")
        export_client_revoke(client=found)
        self.stderr.write(f"Export client '{name}' revoked.")
