import hashlib
from datetime import timedelta

import django.utils.timezone
from django.db import migrations, models

import accounts.models


def hash_invitation_keys(apps, schema_editor):
    """Existing invitations keep working: the key already e-mailed is stored as its hash."""
    Invitation = apps.get_model("accounts", "Invitation")
    for invitation in Invitation.objects.all().only("pk", "key"):
        Invitation.objects.filter(pk=invitation.pk).update(
            key_hash=hashlib.sha256(invitation.key.encode()).hexdigest()
        )


def expire_existing_tokens(apps, schema_editor):
    """A token made before expiry existed lives 90 days from its creation."""
    ApiToken = apps.get_model("accounts", "ApiToken")
    for token in ApiToken.objects.all().only("pk", "created_at"):
        ApiToken.objects.filter(pk=token.pk).update(expires_at=token.created_at + timedelta(days=90))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_verified_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(default=accounts.models.api_token_expiry),
        ),
        migrations.RunPython(expire_existing_tokens, migrations.RunPython.noop),
        migrations.AddField(
            model_name="invitation",
            name="voided_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="invitation",
            name="key_hash",
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.RunPython(hash_invitation_keys, migrations.RunPython.noop),
        migrations.RemoveField(model_name="invitation", name="key"),
        migrations.AlterField(
            model_name="invitation",
            name="key_hash",
            field=models.CharField(max_length=64, unique=True),
        ),
        migrations.AddIndex(
            model_name="invitation",
            index=models.Index(fields=["organization", "created_at"], name="accounts_in_organiz_e4e7b9_idx"),
        ),
    ]
