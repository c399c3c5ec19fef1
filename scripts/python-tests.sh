#!/usr/bin/env bash
# Python side of CI for models/: LoRA train / merge / convert tooling (models/python, package liuhen_models).
#
# From nothing (a fresh clone): creates models/python/.venv with `python3 -m venv` (or reuses it), installs
# models/python/requirements.txt from this machine's configured pip index (pip.conf: local simple indexes and
# find-links; torch is the CPU wheel), installs the package itself (editable), then runs pytest on a tiny random
# Qwen2 model with a tokenizer trained on the spot — nothing is downloaded from a model hub.
#
# Exit status: pytest's, except that "no tests collected" (pytest's 5) is a failure here too.
# Run from anywhere: bash scripts/python-tests.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."   # repository root

PKG=models/python
VENV="$PKG/.venv"
REQ="$PKG/requirements.txt"
STAMP="$VENV/.requirements.sha256"
PY="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
  echo "python-tests: creating $VENV with $("$PY" --version 2>&1)"
  "$PY" -m venv "$VENV"
fi
want="$( (cat "$REQ" "$PKG/pyproject.toml") | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null || true)" != "$want" ]; then
  start=$(date +%s)
  echo "python-tests: installing $REQ into $VENV (torch CPU wheel is ~190 MB; takes a few minutes the first time)"
  # --retries 0: an index this machine cannot reach (pypi.org, the default) fails at once instead of backing off
  # for every package; pip then uses the configured local indexes.
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --retries 0 -r "$REQ" \
    2> >(grep -v -e "^WARNING: Retrying" -e "is ignored: it is neither a file nor a directory" -e "NewConnectionError" >&2)
  # --no-deps --no-build-isolation: the package has no dependencies of its own beyond requirements.txt, and
  # build isolation would try to fetch setuptools again.
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e "$PKG"
  echo "$want" > "$STAMP"
  echo "python-tests: venv install took $(( $(date +%s) - start )) s"
else
  echo "python-tests: reusing $VENV (requirements unchanged; venv install took 0 s)"
fi

export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
export PYTHONDONTWRITEBYTECODE=1 CUDA_VISIBLE_DEVICES="${CUDA_VISIBLE_DEVICES-}"
# The test models are tiny: one thread per process avoids OpenMP spin-waiting on a busy 2-core machine.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" MKL_NUM_THREADS="${MKL_NUM_THREADS:-1}"

start=$(date +%s)
status=0
# -q with -rfEs: pytest's own closing line ("N passed, M failed in Xs") plus the reason of every failure/skip.
(cd "$PKG" && "./.venv/bin/python" -m pytest -q -rfEs -p no:cacheprovider "$@") || status=$?
echo "python-tests: pytest took $(( $(date +%s) - start )) s (exit $status)"
if [ "$status" -eq 5 ]; then
  echo "python-tests: pytest collected no tests — treating that as a failure" >&2
  exit 1
fi
exit "$status"
