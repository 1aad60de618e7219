"""pg_trgm for recurrence.py's similarity of factors and actions.

TrigramExtension does nothing on other databases (SQLite falls back to
difflib), so this migration runs everywhere.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_initial")]

    operations = [TrigramExtension()]
