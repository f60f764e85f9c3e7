# One image for the web app, the worker and the prestart step (see docker-compose.yml).
# It installs exactly requirements.lock (hashes checked), the versions `make test` ran.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SAMVERKAN_LOG_FORMAT=json SAMVERKAN_DATA_DIR=/data
WORKDIR /app
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
# The source (what .dockerignore leaves: no virtualenv, data, tests or local secrets).
COPY . .
# Byte-compiled at build: the root file system is read-only and PYTHONDONTWRITEBYTECODE is set,
# and Temporal's sandbox loads a workflow's module anew for every workflow run.
RUN pip install --no-deps -e . \
    && python -m compileall -q core store workflows activities services api worker \
    && useradd --system --uid 10001 --no-create-home samverkan \
    && mkdir /data && chown samverkan /data
USER 10001
EXPOSE 8000 9000
HEALTHCHECK --interval=15s --timeout=5s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
# Idle connections kept longer than a proxy keeps its own (worker/launch.py: KEEP_ALIVE_SECONDS).
CMD ["uvicorn", "api.main:app_from_env", "--factory", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers", \
     "--timeout-keep-alive", "75"]
