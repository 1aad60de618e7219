"""The floor: the least a Django view can do, to measure the product against.

One view does one INSERT and renders a one-line template (the write floor),
one does one indexed SELECT (the read floor). No middleware, no sessions, no
auth: whatever the product costs on top is its own. Same database as the
product's run (DATABASE_URL).
"""

import os

import dj_database_url

SECRET_KEY = "bench-floor-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"])}
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates"}]
USE_TZ = True
