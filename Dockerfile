# One image for the web app, the worker and the prestart step (see docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 SAMVERKAN_LOG_FORMAT=json SAMVERKAN_DATA_DIR=/data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY core core
COPY store store
COPY workflows workflows
COPY activities activities
COPY services services
COPY api api
COPY worker worker
COPY templates templates
COPY static static
COPY locale locale
COPY migrations migrations
COPY alembic.ini ./
RUN pip install --no-cache-dir -e . && useradd --system --uid 10001 samverkan && mkdir /data && chown samverkan /data
USER samverkan
EXPOSE 8000
CMD ["uvicorn", "api.main:app_from_env", "--factory", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers"]
