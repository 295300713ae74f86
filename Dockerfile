# claimledger's API under gunicorn. Build from the repository root: docker build -t claimledger .
# docker/compose.yml runs it with PostgreSQL; alone it keeps a SQLite file in the /data volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system claimledger \
    && useradd --system --gid claimledger --home-dir /app --no-create-home --shell /usr/sbin/nologin claimledger

WORKDIR /app
COPY setup.cfg pyproject.toml README.md ./
COPY service ./service
RUN pip install . && rm -rf build *.egg-info
COPY seeds ./seeds
COPY docker ./docker

RUN mkdir /data && chown claimledger:claimledger /data
VOLUME ["/data"]

ENV CLAIMLEDGER_DATABASE_URL=sqlite:////data/claimledger.db \
    CLAIMLEDGER_HOST=0.0.0.0 \
    CLAIMLEDGER_PORT=8000

USER claimledger
EXPOSE 8000

# python, not curl: the slim image has no curl, and urlopen fails on anything but a 2xx.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('CLAIMLEDGER_PORT', '8000'), timeout=4)" || exit 1

# Migrates (and seeds when CLAIMLEDGER_SEED=true) on every start, then execs gunicorn.
ENTRYPOINT ["/app/docker/entrypoint.sh"]
