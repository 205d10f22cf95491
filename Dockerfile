# The production image: gunicorn for the web, the same image for the Celery worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY okr ./okr
COPY accounts ./accounts
RUN pip install .
COPY . .
# collectstatic needs settings but no database or real secret.
RUN DEBUG=false SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

RUN useradd --create-home cascade
USER cascade
EXPOSE 8000
CMD ["gunicorn", "okr.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
