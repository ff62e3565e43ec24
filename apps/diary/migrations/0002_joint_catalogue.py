from __future__ import annotations

from django.db import migrations


def load_catalogue(apps, schema_editor):
    # Import inside: migrations must keep working if anatomy.py grows later.
    from apps.diary.anatomy import JOINT_ORDER, JOINTS

    Joint = apps.get_model("diary", "Joint")
    for order, code in enumerate(JOINT_ORDER):
        info = JOINTS[code]
        Joint.objects.update_or_create(
            code=code,
            defaults={
                "side": info.side,
                "limb": info.limb,
                "kind": info.kind,
                "position": info.position,
                "sort_order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("diary", "0001_initial")]

    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]
