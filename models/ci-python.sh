#!/usr/bin/env bash
# Python side of CI for models/: LoRA train / merge / convert tooling (liuhen_models).
# Creates or reuses models/.venv, installs the pinned requirements from the machine's pip index,
# runs pytest and exits with its status. Run from the repository root: bash models/ci-python.sh
set -euo pipefail
cd "$(dirname "$0")/.."   # repository root, wherever this is called from

VENV=models/.venv
REQ=models/python/requirements.txt
STAMP="$VENV/.requirements.sha256"

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
want="$(sha256sum "$REQ" | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null || true)" != "$want" ]; then
  # --retries 0: an index this machine cannot reach fails at once instead of backing off per package.
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --retries 0 -r "$REQ" 2> >(grep -v -e '^WARNING: Retrying' -e 'is ignored: it is neither a file nor a directory' >&2)
  echo "$want" > "$STAMP"
fi

export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false PYTHONDONTWRITEBYTECODE=1
# The test models are tiny: one thread per process avoids OpenMP spin-waiting on a busy 2-core machine
# (the training test took 16 s with 2 threads under load, 1.5 s with 1).
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
status=0
(cd models/python && "../.venv/bin/python" -m pytest -q -p no:cacheprovider) || status=$?
exit "$status"
