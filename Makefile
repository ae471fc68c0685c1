# Two entry points (see README): `make demo` and `make test`. Both set up what they need first.
SHELL := /bin/bash
top := $(CURDIR)
ENV := top=$(top); . $(top)/scripts/env.sh;

.PHONY: bootstrap bootstrap-venv check lint demo test unit integration quality molecule images docs clean-containers bench record clean-images corpus-fleet matrix

bootstrap:
	@./scripts/bootstrap.sh

bootstrap-venv:
	@NBDB_SKIP_IMAGES=1 ./scripts/bootstrap.sh

demo: bootstrap
	@$(ENV) ./scripts/demo.sh

## The one-minute check after every edit (no container): pep8, unit tests, ansible-doc, playbook syntax.
check: bootstrap-venv
	@$(ENV) ./scripts/check.sh

## ansible-lint (production profile) of the role and playbooks: after editing YAML (make test runs it too).
lint: bootstrap-venv
	@$(ENV) NBDB_CHECK_LINT=1 ./scripts/check.sh

TEST_WORKERS ?= 2
## The whole suite (two pytest-xdist workers by default, one file each at a time; TEST_WORKERS=1: one): unit, recorded, integration (real Postfix in podman), molecule, quality.
test: bootstrap
	@$(ENV) python -m pytest -n $(TEST_WORKERS) --dist loadfile --durations=15 $(PYTEST_ARGS)

unit: bootstrap-venv
	@$(ENV) python -m pytest tests/unit tests/recorded $(PYTEST_ARGS)

integration: bootstrap
	@$(ENV) python -m pytest tests/integration $(PYTEST_ARGS)

quality: bootstrap
	@$(ENV) python -m pytest tests/quality $(PYTEST_ARGS)

## The corpus of real configurations as one fleet through dry_run -> migrate_fleet -> migrate_fleet (issue 15 §7).
corpus-fleet: bootstrap
	@$(ENV) NBDB_CORPUS_FLEET=1 python -m pytest tests/integration/test_corpus_fleet.py $(PYTEST_ARGS)

## Benchmark on real Postfix 3.11 (README "Performance"): ratios against plain Postfix procedures, into bench/results/.
bench: bootstrap
	@$(ENV) python -m bench $(BENCH_ARGS)

## Every supported ansible-core release (README "Supported ansible-core releases"): unit tests, ansible-test sanity per target Python, molecule default under the oldest and newest; results in .build/matrix/.
matrix: bootstrap
	@$(ENV) python scripts/matrix.py $(MATRIX_ARGS)

MOLECULE_SCENARIO ?= default
molecule: bootstrap
	@$(ENV) cd roles/migrate && molecule test -s $(MOLECULE_SCENARIO)

## Re-record the recorded tier's fixtures from the real images (tests/recorded/record.py; names: RECORD_ARGS).
record: bootstrap
	@$(ENV) python -m tests.recorded.record $(RECORD_ARGS)

## Module/role reference (antsibull-docs) and the changelog from the fragments, into docs/.
docs: bootstrap
	@$(ENV) ./scripts/docs.sh

images:
	@$(ENV) for c in images/*.conf; do ./images/$$(nbdb_image_script $$c) $$(basename $$c .conf); done

## Remove containers left by the demo or by an interrupted test run.
clean-containers:
	@podman ps -a --filter label=nbdb.testbed --format '{{.Names}}' | xargs -r podman rm -f -t 0
	@podman ps -a --filter label=nbdb.demo --format '{{.Names}}' | xargs -r podman rm -f -t 0

## Drop the image tags of recipes this checkout no longer builds (never done automatically: another checkout may use them).
clean-images:
	@$(ENV) current=$$(env | sed -n 's/^NBDB_IMAGE_[A-Z_]*=//p'); \
	podman images --format '{{.Repository}}:{{.Tag}}' | grep '^localhost/nbdb-pf-' | grep -v ':latest$$' | \
	while read -r image; do echo "$$current" | grep -qx "$$image" || podman rmi "$$image" >/dev/null 2>&1 || true; done
