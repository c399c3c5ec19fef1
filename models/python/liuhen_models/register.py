"""Add converted models to the registry file Liuhen's task pane loads (``model-records.json``).

The file is a JSON list of WebLLM ``ModelRecord`` objects, or ``{"default": id, "models": [...]}`` (kept as it
is); the add-in validates it with ``shared/engine/registry/custom.ts`` (``parseCustomRecords``). This module applies the
same rules before writing, so an admin learns about a bad entry here and not from a writer's task pane:

* only the fields ``model, model_id, model_lib, required_features, overrides, vram_required_MB,
  low_resource_required, integrity, liuhen_prompt``; the first three are required non-empty strings;
* ``model_id`` of letters, digits, ``.``, ``_``, ``-``, unique in the file;
* ``model`` an https URL without ``?``/``#`` ending in ``/resolve/<commit>/`` (a commit hash: no branch, tag or
  ``<placeholder>``); on Hugging Face-style hosts exactly ``https://<host>/<org>/<repo>/resolve/<commit>/``;
* ``model_lib`` an https URL ending in ``.wasm``, pinned (WebLLM's prebuilt library, a commit in the URL, or
  ``integrity.model_lib``); ``required_features`` WebGPU feature names; a q4f16_1 model should require
  ``shader-f16``; ``overrides.context_window_size`` a positive integer.

A registry inside ``dist/`` is refused: every build empties it (use ``deploy/model-records.json``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import urlsplit

from . import ConfigError
from .convert import COMMIT, DEFAULT_MODEL_LIB_BASE, check_pinned

RECORD_FIELDS = ("model", "model_id", "model_lib", "required_features", "overrides", "vram_required_MB", "low_resource_required",
                 "integrity", "liuhen_prompt")
SRI = re.compile(r"^sha(256|384|512)-[A-Za-z0-9+/]+={0,2}$")
REQUIRED_FIELDS = ("model", "model_id", "model_lib")
# GPUFeatureName values (the same list as shared/engine/registry/custom.ts KNOWN_WEBGPU_FEATURES).
WEBGPU_FEATURES = frozenset({
    "core-features-and-limits", "depth-clip-control", "depth32float-stencil8", "texture-compression-bc",
    "texture-compression-bc-sliced-3d", "texture-compression-etc2", "texture-compression-astc",
    "texture-compression-astc-sliced-3d", "timestamp-query", "indirect-first-instance", "shader-f16",
    "rg11b10ufloat-renderable", "bgra8unorm-storage", "float32-filterable", "float32-blendable", "clip-distances",
    "dual-source-blending", "subgroups", "primitive-index", "texture-formats-tier1", "texture-formats-tier2",
})
HF_STYLE_HOSTS = re.compile(r"(^|\.)(huggingface\.co|hf\.co|hf-mirror\.com|modelscope\.cn)$", re.I)
MODEL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def check_record(record: Any) -> list[str]:
    """Problems of one record, worded like the add-in's (empty when the add-in accepts it)."""
    if not isinstance(record, dict):
        return ["must be an object with the fields model, model_id, model_lib"]
    errors = [f'unknown field "{k}" (allowed: {", ".join(RECORD_FIELDS)})' for k in record if k not in RECORD_FIELDS]
    for key in REQUIRED_FIELDS:
        if not isinstance(record.get(key), str) or not record[key].strip():
            errors.append(f"{key}: required, a non-empty string")
    model_id = record.get("model_id")
    if isinstance(model_id, str) and model_id and not MODEL_ID.match(model_id):
        errors.append('model_id: use letters, digits, ".", "_" and "-" only')
    model = record.get("model")
    if isinstance(model, str) and model:
        url = urlsplit(model)
        if url.scheme != "https" or not url.hostname:
            errors.append(f'model: must be an https:// URL (got "{model}")')
        else:
            path = url.path if url.path.endswith("/") else url.path + "/"
            if HF_STYLE_HOSTS.search(url.hostname) and not re.fullmatch(r"/[^/]+/[^/]+/resolve/[^/]+/", path):
                errors.append(f"model: on {url.hostname} use the layout https://{url.hostname}/<org>/<repo>/resolve/<commit>/")
            elif not re.search(r"/resolve/[^/]+/$", path):
                errors.append(f"model: unpinned — WebLLM would download from {url.scheme}://{url.netloc}{path}resolve/main/; "
                              "give the full URL ending in /resolve/<commit>/ (a commit hash)")
            if url.query or url.fragment or "?" in model or "#" in model:
                errors.append('model: must not contain "?" or "#"')
    lib = record.get("model_lib")
    if isinstance(lib, str) and lib:
        url = urlsplit(lib)
        if url.scheme != "https" or not url.hostname:
            errors.append(f'model_lib: must be an https:// URL (got "{lib}")')
        elif not url.path.endswith(".wasm"):
            errors.append("model_lib: must be the URL of a compiled model library ending in .wasm")
        elif not _lib_pinned(lib, record.get("integrity")):
            errors.append(f"model_lib: {lib!r} is not pinned: use WebLLM's prebuilt library ({DEFAULT_MODEL_LIB_BASE}…), a "
                          'commit-pinned URL (raw.githubusercontent.com/<org>/<repo>/<commit>/…, …/resolve/<commit>/…), or add '
                          '"integrity": {"model_lib": "sha256-…"}')
    integrity = record.get("integrity")
    if integrity is not None:
        ok = isinstance(integrity, dict) and set(integrity) <= {"config", "model_lib", "tokenizer", "onFailure"} and all(
            isinstance(integrity.get(k), str) and SRI.match(integrity[k]) for k in ("config", "model_lib") if k in integrity
        ) and integrity.get("onFailure", "error") == "error"
        if not ok:
            errors.append('integrity: must be WebLLM\'s SRI hashes, e.g. {"model_lib": "sha256-<base64>"} (onFailure only "error")')
    features = record.get("required_features")
    if features is not None:
        if not isinstance(features, list) or not all(isinstance(f, str) for f in features):
            errors.append('required_features: must be a list of WebGPU feature names, e.g. ["shader-f16"]')
        else:
            errors += [f'required_features: "{f}" is not a WebGPU feature' for f in features if f not in WEBGPU_FEATURES]
    overrides = record.get("overrides")
    if overrides is not None:
        if not isinstance(overrides, dict):
            errors.append('overrides: must be an object, e.g. {"context_window_size": 4096}')
        else:
            cws = overrides.get("context_window_size")
            if cws is not None and not (isinstance(cws, int) and not isinstance(cws, bool) and cws > 0):
                errors.append("overrides.context_window_size: must be a positive integer")
    vram = record.get("vram_required_MB")
    if vram is not None and not (isinstance(vram, (int, float)) and not isinstance(vram, bool) and vram > 0):
        errors.append("vram_required_MB: must be a positive number (megabytes)")
    low = record.get("low_resource_required")
    if low is not None and not isinstance(low, bool):
        errors.append("low_resource_required: must be true or false")
    prompt = record.get("liuhen_prompt")
    if prompt is not None and not (
        isinstance(prompt, dict) and prompt.get("profile") in ("full", "compact") and set(prompt) <= {"profile", "fields"}
        and isinstance(prompt.get("fields", True), bool)
    ):
        errors.append('liuhen_prompt: must be {"profile": "full" | "compact", "fields": true | false}')
    for key in ("model", "model_lib"):
        value = record.get(key)
        if isinstance(value, str) and value:
            try:
                check_pinned(value, key)
            except ConfigError as exc:
                errors.append(str(exc))
    if isinstance(model_id, str) and re.search(r"[-_]q4f16_1(-MLC)?$", model_id, re.I):
        if not (isinstance(features, list) and "shader-f16" in features):
            errors.append('required_features: a q4f16_1 model needs "shader-f16"')
    return errors


def _lib_pinned(lib: str, integrity: Any) -> bool:
    """The add-in's rule (shared/engine/registry/custom.ts): WebLLM's prebuilt library, a commit in the path, or an SRI hash."""
    if lib.startswith(DEFAULT_MODEL_LIB_BASE) or (isinstance(integrity, dict) and "model_lib" in integrity):
        return True
    url = urlsplit(lib)
    parts = [p for p in url.path.split("/") if p]
    ref = None
    if url.hostname == "raw.githubusercontent.com" and len(parts) > 2:
        ref = parts[2]
    elif url.hostname == "github.com" and len(parts) > 3 and parts[2] in ("raw", "blob"):
        ref = parts[3]
    elif url.hostname and HF_STYLE_HOSTS.search(url.hostname) and "resolve" in parts[:-1]:
        ref = parts[parts.index("resolve") + 1]
    return ref is not None and COMMIT.match(ref) is not None


def _read_registry(path: Path, flag: str) -> tuple[list[Any], dict[str, Any] | None]:
    """The records of a registry file, and the wrapper object when it is the ``{"default", "models"}`` form."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"{flag}: file {str(path)!r} does not exist") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{flag}: {path} is not valid JSON ({exc.msg}, line {exc.lineno})") from None
    # `server` (a company inference server, liuhen_models/server.py) may stand alone or beside the models.
    if isinstance(data, dict) and "server" in data and "models" not in data:
        data = {**data, "models": []}
    if isinstance(data, dict) and isinstance(data.get("models"), list):
        extra = set(data) - {"default", "models", "server"}
        if extra:
            raise ConfigError(f'{flag}: {path}: unknown key(s) {", ".join(sorted(extra))} (the form is {{"default": id, "models": [...], "server": {{...}}}})')
        return data["models"], data
    if not isinstance(data, list):
        raise ConfigError(f'{flag}: {path} must be a JSON list of model records, or {{"default": id, "models": [...]}}')
    return data, None


def _read_list(path: Path, flag: str) -> list[Any]:
    return _read_registry(path, flag)[0]


def _check_registry_location(path: Path) -> None:
    """dist/ is emptied by every build: a registry there is lost at the next `npm run build`."""
    resolved = path.resolve()
    root = Path(__file__).resolve().parents[3]
    dist = (root / "dist").resolve()
    if resolved == dist or dist in resolved.parents:
        raise ConfigError(
            f"--registry: {path} is inside dist/, which every build empties; register into "
            f"{root / 'deploy' / 'model-records.json'} (the build copies it beside the pages) or your web server's folder"
        )


def register(records_path: str | Path, registry_path: str | Path, *, replace: bool = False) -> list[dict[str, Any]]:
    """Add the records of ``records_path`` (written by ``convert``) to ``registry_path``; return the new list.

    The registry file is created when missing. A model_id already in it is an error unless ``replace``.
    Nothing is written when any record is invalid.
    """
    records_path, registry_path = Path(records_path), Path(registry_path)
    _check_registry_location(registry_path)
    new = _read_list(records_path, "--records")
    if not new:
        raise ConfigError(f"--records: {records_path} holds no records")
    existing, wrapper = _read_registry(registry_path, "--registry") if registry_path.exists() else ([], None)

    problems = []
    for i, record in enumerate(new):
        label = f'entry {i + 1} ("{record.get("model_id")}")' if isinstance(record, dict) else f"entry {i + 1}"
        problems += [f"{label}: {p}" for p in check_record(record)]
    ids = [r.get("model_id") for r in new if isinstance(r, dict)]
    problems += [f'model_id: "{m}" appears twice in {records_path}' for m in sorted({m for m in ids if ids.count(m) > 1})]
    if problems:
        raise ConfigError(f"--records: {records_path} would be refused by the add-in: " + "; ".join(problems))

    taken = {r.get("model_id"): i for i, r in enumerate(existing) if isinstance(r, dict)}
    clash = [m for m in ids if m in taken]
    if clash and not replace:
        raise ConfigError(
            f"--registry: {', '.join(clash)} already in {registry_path} (use --replace to update those entries)"
        )
    merged = [r for r in existing if not (isinstance(r, dict) and r.get("model_id") in set(ids))] + new
    registry_path.parent.mkdir(parents=True, exist_ok=True)
    if wrapper is not None:
        default = wrapper.get("default")
        ids_after = {r.get("model_id") for r in merged if isinstance(r, dict)}
        if isinstance(default, str) and default not in ids_after:
            print(f"warning: the registry's default {default!r} is not one of its models")
        out: Any = {**wrapper, "models": merged}
    else:
        out = merged
    registry_path.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    verb = "updated" if clash else "added"
    print(f"{verb} {len(new)} model(s) in {registry_path}: {', '.join(str(m) for m in ids)} ({len(merged)} custom model(s) in total)")
    return merged


__all__: Sequence[str] = ("check_record", "register")
