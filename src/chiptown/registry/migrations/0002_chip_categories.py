"""Load the ten MIIT automotive-chip categories from data/chip_categories.csv."""

import csv
from pathlib import Path

from django.db import migrations

CATEGORIES_CSV = Path(__file__).resolve().parent.parent / "data" / "chip_categories.csv"


def load_categories(apps, schema_editor):
    ChipCategory = apps.get_model("registry", "ChipCategory")
    with CATEGORIES_CSV.open(encoding="utf-8") as f:
        for position, row in enumerate(csv.DictReader(f)):
            ChipCategory.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name_en": row["name_en"],
                    "name_zh": row["name_zh"],
                    "examples": row["examples"],
                    "position": position,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load_categories, migrations.RunPython.noop)]
