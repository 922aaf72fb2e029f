# The portal's image: web (gunicorn), Celery worker and beat all run from it.
FROM python:3.11-slim-bookworm

# WEB_CONCURRENCY is gunicorn's worker count: override it in .env (about 2-4 per CPU core).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=portal.settings \
    WEB_CONCURRENCY=3

# WeasyPrint renders the certificates through Pango and HarfBuzz (which pull in fontconfig,
# FreeType and FriBiDi). Noto covers Persian and Latin for text the vendored Vazirmatn does
# not; DejaVu is fontconfig's fallback.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fontconfig \
        fonts-dejavu-core \
        fonts-noto-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin portal

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY requirements/base.txt requirements/base.txt
RUN pip install -r requirements/base.txt

# The code stays owned by root: the portal's user can read it but not change it.
COPY . .

# Build-time only: settings refuse to load with DEBUG off and no SECRET_KEY, and neither
# command uses the key. The real key comes from the environment at run time.
RUN export SECRET_KEY=build-time-only-not-a-secret \
    && python manage.py compile_translations \
    && python manage.py collectstatic --noinput \
    && python -m compileall -q .

# The only writable place: var/ holds generated files (MEDIA_ROOT, a volume), the beat
# schedule (a volume), the processes' metrics (a volume) and, with the file SMS backend, the
# messages.
RUN mkdir -p /app/var/media /app/var/beat /app/var/sms /app/var/metrics \
    && chown -R portal:portal /app/var

USER portal

EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "docker/healthcheck.py"]

# Workers come from WEB_CONCURRENCY. Certificates render in Celery, so requests stay short.
CMD ["gunicorn", "portal.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--timeout", "60", \
     "--graceful-timeout", "30", \
     "--max-requests", "1000", \
     "--max-requests-jitter", "100", \
     "--worker-tmp-dir", "/dev/shm", \
     "--config", "docker/gunicorn.conf.py"]
