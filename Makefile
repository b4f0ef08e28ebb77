# One target per thing a person does. Everything runs inside .venv, which the
# targets create on first use from requirements*.txt pinned by constraints.txt.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV     := .venv
PY       := $(VENV)/bin/python
RASA     := $(VENV)/bin/rasa
MODEL    := models/current.tar.gz
# The interpreter that builds .venv: Python 3.10 (Rasa 3.6 needs < 3.11).
PYTHON   ?= $(shell command -v python3.10 || ls $$HOME/.pyenv/versions/3.10*/bin/python3.10 2>/dev/null | tail -1 || command -v python3)

TRAINING := config.yml domain.yml $(wildcard data/nlu/*.yml data/rules/*.yml data/stories/*.yml) \
            $(wildcard bot/nlu/*.py bot/nlu/*.yml)

# Quieter TensorFlow and SQLAlchemy logs. Nothing else needs to be set: every setting has
# its default in bot/config.py, and endpoints.yml names the local action server.
export TF_CPP_MIN_LOG_LEVEL ?= 2
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1

.PHONY: help setup lint run train validate test unit stories browser e2e stack stack-down stack-test bench bench-long eval crossval clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: $(VENV)/.installed  ## create .venv and install pinned dependencies

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 10), f"Python 3.10 needed (Rasa 3.6), found {sys.version.split()[0]} at {sys.executable}"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip==24.0"
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

KNOWLEDGE := $(wildcard knowledge/*.yml knowledge/*/*.yml)
VALIDATED := .run/validated

validate: $(VALIDATED)  ## check knowledge, generated responses and training data (before training)

$(VALIDATED): $(TRAINING) $(KNOWLEDGE) credentials.yml | setup
	$(PY) -m bot check
	$(PY) -m bot.domain_gen --check
	$(PY) scripts/validate_data.py
	@mkdir -p $(dir $@) && touch $@

train: $(MODEL)  ## train the model if training data or config changed since the last one

$(MODEL): $(TRAINING) | setup $(VALIDATED)
	$(RASA) train --fixed-model-name current --out models --quiet

run: train  ## start the action server and the assistant (Ctrl-C stops both)
	scripts/run.sh

lint: setup  ## ruff: the linter and the formatter's check (pyproject.toml)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

unit: setup  ## unit tests: knowledge, places, CLI, NLU components, actions, channels
	$(PY) -m pytest -q tests --ignore=tests/e2e --ignore=tests/stack

stories: train  ## dialogue test stories, failing on any prediction error
	$(RASA) test core --model $(MODEL) --stories tests/stories --fail-on-prediction-errors --out results/stories

browser:  ## install Debian's chromium for the widget's browser tests (skipped cleanly where apt is missing)
	scripts/install_chromium.sh

e2e: train browser  ## start the servers; conversation cases over REST, security, the widget in a real browser
	$(PY) -m pytest -q tests/e2e

test: lint unit validate stories e2e stack-test  ## everything CI checks, lint first

eval: setup  ## our conversation cases (and ../shared/eval's, where present) against a running assistant
	$(PY) scripts/eval.py --cases tests/e2e/cases.yml --url $${RASA_URL:-http://localhost:5005}
	@for f in ../shared/eval/cases.yml ../shared/eval/cases-next.yml; do \
	  if [ -f $$f ]; then $(PY) scripts/eval.py --cases $$f --url $${RASA_URL:-http://localhost:5005}; \
	  else echo "$$f is not beside the repository: skipped"; fi; done

crossval: setup  ## NLU cross-validation: intents (precision, recall, F1), then the frame's harms per harm
	$(RASA) test nlu --nlu data/nlu --config config.yml --cross-validation --runs 1 --folds 5 --out results/crossval
	$(PY) scripts/crossval_summary.py results/crossval
	$(PY) scripts/frame_crossval.py --folds 5

stack: train  ## the production profile on loopback: PostgreSQL, Redis, 2 Rasa replicas, 2 action servers, nginx
	scripts/stack.sh up 2

stack-down:  ## stop the local production stack
	scripts/stack.sh down

stack-test: train  ## replicas, failover, action servers down, forget and retention, against the stack
	scripts/stack.sh up 2
	$(PY) -m pytest -q tests/stack; status=$$?; scripts/stack.sh down; exit $$status

bench: train  ## load benchmark (1 then 2 replicas); writes docs/benchmarks.md
	scripts/bench.sh

bench-long: train  ## 200-turn conversations, make run and the stack: median per 20 turns; docs/benchmarks.md
	scripts/bench_long.sh

clean:  ## remove trained models and test output (keeps .venv)
	rm -rf models results .rasa $(VALIDATED)
