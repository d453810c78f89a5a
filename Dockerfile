FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_DEBUG=0 \
    DJANGO_STATIC_ROOT=/app/staticfiles

WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic needs a key to import the settings; this one is never used to serve.
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home-dir /app app

USER app
EXPOSE 8000
# Run the release step once per deployment, not in every instance:
#   docker run --rm IMAGE python manage.py migrate
#   docker run --rm IMAGE python manage.py sync_directory
CMD ["gunicorn", "decoder_site.wsgi", "--config", "python:decoder_site.gunicorn", "--bind", "0.0.0.0:8000"]
