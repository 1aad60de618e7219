"""Test-wide environment, set before Django reads its settings."""

import os

# Tests never run with a production secret; DEBUG stays off as Django forces.
os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")

# The SQLite test database is a file under var/ (see settings.DATABASES).
os.makedirs(os.path.join(os.path.dirname(__file__), "var"), exist_ok=True)
