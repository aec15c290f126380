# Pang Mu E-Smart Service: `make demo` runs the portal (web, worker, beat) with the Pang Mu demo; `make test` runs the suite.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup migrate demo seed serve test lint vendor fonts

setup:
	@bash scripts/setup.sh

migrate: setup
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# The whole pipeline: web server, Celery worker (imagery and other jobs) and beat; Ctrl-C stops all three.
demo: seed
	$(PY) manage.py demo_user
	$(PY) scripts/demo_run.py --host $(HOST) --port $(PORT)

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -n 2 --dist loadfile

lint: setup
	$(VENV)/bin/ruff check .

# Refresh the vendored OpenLayers build from the npm registry (not needed for demo or test).
vendor:
	rm -rf var/ol && mkdir -p var/ol && cd var/ol && npm pack ol@10 >/dev/null && tar xzf ol-*.tgz
	cp var/ol/package/dist/ol.js var/ol/package/ol.css var/ol/package/LICENSE.md gis_portal/static/vendor/ol/
	# No source map is shipped: drop its reference so collectstatic's manifest storage does not fail.
	sed -i 's|^//# sourceMappingURL=ol.js.map$$||' gis_portal/static/vendor/ol/ol.js

# Refresh the vendored Myanmar-script (Shan, S'gaw Karen) and Lisu fonts from Debian's fonts-noto-core.
fonts:
	dpkg -s fonts-noto-core >/dev/null 2>&1 || apt-get install -y --no-install-recommends fonts-noto-core
	cp /usr/share/fonts/truetype/noto/NotoSansMyanmar-Regular.ttf /usr/share/fonts/truetype/noto/NotoSansLisu-Regular.ttf languages/static/languages/fonts/
	cp /usr/share/doc/fonts-noto-core/copyright languages/static/languages/fonts/LICENSE-noto.txt
