# 政务服务智能助手 — set-up, tests and benchmarks. Everything installs into .venv; nothing downloads at run time.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: install run test lint typecheck ingest search bench bench-policy bench-heldout bench-answers bench-behaviour bench-load calibrate bench-msgabench bench-guides clean

# Debian packages: CJK fonts (synthetic sample materials for the pre-review benchmark) and the
# libraries OpenCV (OCR) loads. Installed when missing and we are root; otherwise we say what is missing.
DEBS := fonts-noto-cjk libgl1 libglib2.0-0

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@missing=$$(for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "warning: missing Debian packages ($$missing); run: sudo apt-get install $$missing" >&2; fi; \
	fi
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	$(PIP) install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# Install, bring the index of the bundled knowledge up to date, serve API + web chat on 127.0.0.1:8000.
run: $(STAMP)
	$(VENV)/bin/govassist serve

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy assistant ingest evals ui

test: $(STAMP) lint
	$(PY) -m pytest -q

ingest: $(STAMP)
	$(VENV)/bin/govassist ingest

# Retrieval benchmarks: figures go to reports/*/metrics.json and report.md (see README).
bench-policy: $(STAMP)
	$(VENV)/bin/govassist eval --dataset evals/datasets/policy_qa.jsonl --retrieval-only --report reports/policy_qa

bench-heldout: $(STAMP)
	$(VENV)/bin/govassist eval --dataset evals/datasets/policy_qa_heldout.jsonl --retrieval-only --report reports/policy_qa_heldout

# Answer benchmarks: the full chat path (routing, retrieval, answer or refusal).
bench-answers: $(STAMP)
	$(VENV)/bin/govassist eval --dataset evals/datasets/policy_qa.jsonl --report reports/policy_qa_answers

bench-behaviour: $(STAMP)
	$(VENV)/bin/govassist eval --dataset evals/datasets/behaviour.jsonl --report reports/behaviour

calibrate: $(STAMP)
	$(PY) -m evals.calibrate_refusal

bench-load: $(STAMP)
	$(PY) -m evals.load_test --report reports/load

# 智能导办: item matching (guide_match.jsonl), false triggers, scripted dialogues, timings.
bench-guides: $(STAMP)
	$(VENV)/bin/govassist eval-guides --report reports/guides

bench-msgabench: $(STAMP)
	$(VENV)/bin/govassist eval-msgabench --report reports/msgabench

bench: bench-policy bench-heldout bench-answers bench-behaviour bench-load bench-msgabench bench-guides

clean:
	rm -rf data reports .pytest_cache .mypy_cache .ruff_cache
