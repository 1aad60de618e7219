import os

# The SQLite test database is a file under var/ (see settings.DATABASES).
os.makedirs(os.path.join(os.path.dirname(__file__), "var"), exist_ok=True)
