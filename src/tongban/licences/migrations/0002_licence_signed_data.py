"""Store the exact signed bytes (canonical JSON text) with each licence.

Existing rows are filled from ``payload``, the dict that was signed: its canonical JSON is
the signed byte string (a payload altered since would fail verification, as before).
"""

from typing import Any

from django.db import migrations, models


def fill_signed_data(apps: Any, schema_editor: Any) -> None:
    from tongban.core.signing import canonical_json

    Licence = apps.get_model("licences", "Licence")
    for lic in Licence.objects.filter(signed_data="").only("pk", "payload").iterator():
        data = canonical_json(lic.payload).decode("utf-8")
        Licence.objects.filter(pk=lic.pk).update(signed_data=data)


class Migration(migrations.Migration):
    dependencies = [
        ("licences", "0001_licence_types_licences_history_uses"),
    ]

    operations = [
        migrations.AddField(
            model_name="licence",
            name="signed_data",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunPython(fill_signed_data, migrations.RunPython.noop),
    ]
