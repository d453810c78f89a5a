# The Bounce Decoder: one app container. Runs as a non-root user and works with
# a read-only root filesystem (docker run --read-only --tmpfs /tmp ...).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_DEBUG=0 \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    PORT=8000

WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files and bytecode are made now: the running container writes nothing.
# collectstatic needs a key to import the settings; this one never serves.
RUN DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && python -m compileall -q decoder_site errorcodes \
    && useradd --system --uid 10001 --no-create-home app

USER app
EXPOSE 8000
# /healthz answers over plain HTTP; the Host header must be one the site allows.
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import os, urllib.request; \
host = os.environ.get('DJANGO_ALLOWED_HOSTS', 'localhost').split(',')[0].strip().lstrip('.'); \
urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:8000/healthz', headers={'Host': host}), timeout=4)"

# Run the release step once per deployment, not in every instance:
#   docker run --rm --env-file prod.env IMAGE python manage.py migrate
#   docker run --rm --env-file prod.env IMAGE python manage.py sync_directory
CMD ["gunicorn", "decoder_site.wsgi", "--config", "python:decoder_site.gunicorn", "--bind", "0.0.0.0:8000"]
