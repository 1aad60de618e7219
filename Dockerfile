# The image behind docker-compose.yml's web, worker, beat and migrate services.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# git: the export task commits finished postmortems to the export repository.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 app

WORKDIR /app
COPY . .
# Editable, so the settings' BASE_DIR is /app, where templates/ and static/ are.
RUN pip install -e . \
    && SECRET_KEY=collectstatic-only-not-used-at-runtime python manage.py collectstatic --noinput

# Created here, owned by app, so that named volumes mounted on them start writable.
RUN mkdir -p /data/export-repo /data/log-roots /data/beat \
    && chown -R app:app /data

USER app
EXPOSE 8000
CMD ["gunicorn", "postmortems.asgi:application", "-k", "uvicorn_worker.UvicornWorker", "-w", "2", "-b", "0.0.0.0:8000"]
