"""Indexes for the directory's fast paths (see registry/search.py and bench/bench_directory_search.py).

Plain CREATE INDEX statements rather than Meta.indexes: they serve raw query plans (a part-number prefix range, a
covering path from a qualification to its maker, the founding-year sort) and are not part of the model state, so
makemigrations stays quiet. Both SQLite and PostgreSQL accept them as written.
"""

from django.db import migrations

INDEXES = {
    # Part-number prefix search: `part_number >= 'ABC' AND part_number < 'ABC\U0010ffff'`.
    "registry_product_part_number_idx": "registry_product (part_number)",
    # Qualification filters: standard (+ level, + not expired) -> product, without touching the table.
    "registry_qualification_directory_idx": "registry_qualification (standard, level, expires_on, product_id)",
    # ... and product -> maker, again from the index alone.
    "registry_product_maker_idx": "registry_product (id, organisation_id)",
    # Sorting the whole directory by founding year without reading and sorting 20,000 rows.
    "registry_organisation_founded_idx": "registry_organisation (founded_year, name_key)",
}


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_import_batch")]
    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON {target}",
            f"DROP INDEX IF EXISTS {name}",
        )
        for name, target in INDEXES.items()
    ]
