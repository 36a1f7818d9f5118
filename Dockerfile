# The moderation service.  `docker compose up` (docker-compose.yml) runs it beside a Redis
# with persistence; on its own the image starts an embedded Redis in its data volume.
# Needs BuildKit (the default builder since Docker 23) for RUN --mount.

# --- build: every dependency as a wheel, so the runtime stage needs no build tools -----
# The versions are the lock's (requirements/service.txt, hash-checked), the same that
# `./run serve` installs: an image built next month runs what the tests ran.
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY . .
RUN pip install --require-hashes --no-deps -r requirements/service.txt \
 && pip wheel --require-hashes --no-deps --wheel-dir /wheels -r requirements/service.txt \
 && pip wheel --no-deps --no-build-isolation --wheel-dir /wheels .

# --- runtime -------------------------------------------------------------------------
FROM python:3.11-slim
LABEL org.opencontainers.image.title="comment-moderation" \
      org.opencontainers.image.description="Self-hosted comment moderation service" \
      org.opencontainers.image.licenses="MIT"
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    MODERATION_DATA_DIR=/var/lib/moderation

# A fixed uid/gid so a bind-mounted data folder can be chowned to it on the host.
RUN groupadd --system --gid 10001 moderation \
 && useradd --system --uid 10001 --gid moderation --no-create-home \
      --home-dir /var/lib/moderation --shell /usr/sbin/nologin moderation \
 && mkdir -p /var/lib/moderation \
 && chown moderation:moderation /var/lib/moderation

RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-index --find-links=/wheels comment-moderation

USER moderation
WORKDIR /var/lib/moderation
# First-run config, the embedded Redis's AOF files (when no Redis URL is set), models.
VOLUME ["/var/lib/moderation"]
EXPOSE 8080
# aiohttp drains in-flight requests on SIGTERM (up to 10 s) before it exits.
STOPSIGNAL SIGTERM
# Liveness only (no I/O): python:3.11-slim has no curl, so urllib does the request.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('MODERATION_PORT', '8080'), timeout=2)"]
CMD ["moderation", "serve", "--host", "0.0.0.0"]
