# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PROTECT_VAR_DIR=/var/lib/protect
RUN useradd --system --create-home --home-dir /app protect && mkdir -p /var/lib/protect && chown protect /var/lib/protect
WORKDIR /app
COPY --chown=protect:protect . /app
RUN pip install --no-cache-dir . && PROTECT_ENV=demo python manage.py collectstatic --noinput -v0
USER protect
EXPOSE 8000
CMD ["gunicorn", "protect.wsgi", "--config", "protect/gunicorn.conf.py", "--bind", "0.0.0.0:8000"]
