"""API tokens move from DRF's authtoken table (keys stored as they are) to django-rest-knox
(SHA-512 digests, expiry). Each existing key keeps working until the token lifetime has passed, but
only its digest is kept: the old table with the readable keys is dropped."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone

OLD_TABLE = "authtoken_token"
TOKEN_KEY_LENGTH = 15  # knox.settings.CONSTANTS.TOKEN_KEY_LENGTH


def move_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    AuthToken = apps.get_model("knox", "AuthToken")
    ttl = getattr(settings, "REST_KNOX", {}).get("TOKEN_TTL", timedelta(hours=10))
    expiry = timezone.now() + ttl
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id FROM {OLD_TABLE}")  # noqa: S608
        rows = cursor.fetchall()
    # The same digest knox computes (knox.crypto.hash_token with the default SHA-512).
    AuthToken.objects.bulk_create(
        [
            AuthToken(
                digest=hashlib.sha512(key.encode()).hexdigest(),
                token_key=key[:TOKEN_KEY_LENGTH],
                user_id=user_id,
                expiry=expiry,
            )
            for key, user_id in rows
        ],
        ignore_conflicts=True,
    )
    schema_editor.execute(f"DROP TABLE {OLD_TABLE}")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0007_websocket_ticket_token_key"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [migrations.RunPython(move_tokens, migrations.RunPython.noop)]
