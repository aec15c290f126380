# Image for the web and worker services of docker-compose.yml (Debian 12, Python 3.11, GDAL 3.6).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=gis_portal.settings
RUN apt-get update \
 && apt-get install -y --no-install-recommends gdal-bin libgdal-dev libgeos-dev libproj-dev \
      postgresql-client-15 fonts-thai-tlwg \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY gis_portal gis_portal
COPY parcels parcels
COPY drone_ingest drone_ingest
COPY taxes taxes
COPY eservices eservices
COPY tiles tiles
COPY manage.py ./
RUN pip install --no-cache-dir . && python manage.py collectstatic --noinput
RUN useradd --system --home /app pangmu && mkdir -p /app/var/media && chown -R pangmu /app/var
USER pangmu
EXPOSE 8000
CMD ["gunicorn", "gis_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
