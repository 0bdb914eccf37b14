# Two commands matter: `make lab` opens the course, `make test` runs every test.
# Both set up .venv on their own from binder/requirements.txt (the environment Binder gets).

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: lab test lint unit notebooks bench html slides site viewer freeze clean
LAB := $(VENV)/bin/jupyter lab --config=binder/jupyter_server_config.py $(if $(filter 0,$(shell id -u)),--allow-root)

# jupyterlab_rise requires jupyterlab-mathjax3, a JupyterLab 3 extension (JupyterLab 4 has its own
# MathJax): it stays installed, disabled. binder/overrides.json: JupyterLab's and RISE's defaults
# (the RISE theme 'white' has its fonts; the default 'simple' asks Google Fonts).
$(STAMP): binder/requirements.txt pyproject.toml binder/overrides.json
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -r binder/requirements.txt
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	$(VENV)/bin/jupyter labextension disable --level=sys_prefix @jupyterlab/mathjax3-extension
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp binder/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	@# git strips outputs from notebooks on `git add` (nbstripout; --keep-id keeps the cell ids,
	@# tags, jupyter.source_hidden and slideshow metadata are kept by default): README.md.
	if git rev-parse --git-dir >/dev/null 2>&1; then \
	  git config filter.nbstripout.clean '"$(abspath $(PY))" -m nbstripout --keep-id' && \
	  git config filter.nbstripout.smudge cat && \
	  git config diff.ipynb.textconv '"$(abspath $(PY))" -m nbstripout --keep-id -t' && \
	  a="$$(git rev-parse --git-path info/attributes)" && mkdir -p "$$(dirname "$$a")" && \
	  { grep -qs 'filter=nbstripout' "$$a" || echo '*.ipynb filter=nbstripout diff=ipynb' >> "$$a"; }; fi
	touch $(STAMP)

lab: viewer
	$(LAB) notebooks/

# The OHIF Viewer that the course's Orthanc serves at /ohif/ (tooling/ohif_build.py): fetched
# once from the npm registry into build/npm, trimmed and patched into build/ohif. Without npm (and
# no build/npm cache) it says why and the course goes on without the viewer.
viewer: $(STAMP)
	$(PY) -m tooling.ohif_build

# The decks and the site are built before the unit tests: tests/test_real_browser.py opens them.
# Their JavaScript comes from the npm registry on the first build: without npm (and no build/npm
# cache) a laptop skips them, and so do the tests that open them; CI (.ci/run) installs npm.
NPM ?= npm
test: $(STAMP)
	$(MAKE) lint
	@if command -v $(NPM) >/dev/null 2>&1 || [ -d build/npm ] || $(PY) -c "import sys; from workshop_helpers.errors import switched_on; sys.exit(not switched_on('WORKSHOP_REQUIRE_TOOLS'))"; \
	then $(MAKE) slides site; \
	else echo "SKIPPED: make slides site - no npm here to fetch reveal.js and MathJax once (Debian: apt-get install npm)"; fi
	$(MAKE) viewer unit notebooks

lint: $(STAMP)
	$(VENV)/bin/ruff check .

unit: $(STAMP)
	$(PY) -m pytest tests workshop_helpers tooling --doctest-modules -p no:nbval

notebooks: $(STAMP)
	WORKSHOP_STRICT_EXERCISES=1 MPLBACKEND=Agg $(PY) -m pytest --nbval-lax --nbval-current-env \
	    --nbval-cell-timeout=300 -p no:cacheprovider notebooks/

# build/slides/NN_topic.slides.html and build/site/index.html: executed, working with no network.
slides: $(STAMP)
	$(PY) -m tooling.publish slides

site: $(STAMP)
	$(PY) -m tooling.publish site

html: site

bench: $(STAMP)
	for f in benchmarks/*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

freeze:
	$(PY) -m pip install -q -e '.[test,publish]' 'soupsieve<3'  # 3.x needs Python >= 3.11.5 (re's possessive quantifiers); Debian 12 has 3.11.2
	{ echo "# The one pinned environment: 'make test' and Binder both install exactly this list."; \
	  echo "# Regenerate with: make freeze (after changing pyproject.toml)"; \
	  echo setuptools==84.2.1; $(PY) -m pip freeze --exclude-editable | grep -vi '^workshop'; } > binder/requirements.txt

clean:
	rm -rf $(VENV) notebooks/scratch .pytest_cache .hypothesis
