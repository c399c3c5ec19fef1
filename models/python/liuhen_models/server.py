"""Declare a company inference server in the registry file the task pane loads (``model-records.json``).

``python -m liuhen_models register --registry deploy/model-records.json --server-url https://llm.example.com/v1
--server-model Qwen/Qwen2.5-7B-Instruct --lora-adapter acme-hr`` writes the file's ``server`` entry; the pane then
runs the model on that server (shared/engine/openai-engine.ts) instead of the writer's computer, and the build adds
the server's origin to the pages' connect-src. The rules are those of the add-in's reader
(shared/engine/server.ts, ``parseCompanyServer``), so a bad entry is refused here and not in a writer's pane:

* ``kind``: ``vllm`` (default), ``mlc`` or ``llamacpp``;
* ``base_url``: https (plain http only for this computer: localhost / 127.x), no query, fragment or credentials,
  ending in ``/v1``;
* ``model``: the served model name (vLLM ``--served-model-name``, else the model path it was started with);
  ``lora_adapter``: the name given to vLLM's ``--lora-modules``; requests then name the adapter;
* ``concurrency``: batch rows in flight, 1..256 (default in the pane: 8); ``context_window``: only for servers
  whose model list does not say it (vLLM's ``max_model_len`` wins);
* ``liuhen_prompt``: the prompt profile the served fine-tune was trained with, as in a model record.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import urlsplit

from . import ConfigError

KINDS = ("vllm", "mlc", "llamacpp")
LOOPBACK = re.compile(r"^(localhost|127\.\d+\.\d+\.\d+)$", re.I)


def server_entry(
    base_url: str,
    model: str,
    *,
    kind: str = "vllm",
    lora_adapter: str | None = None,
    concurrency: int | None = None,
    display_name: str | None = None,
    context_window: int | None = None,
    prompt_profile: str | None = None,
    prompt_fields: bool = True,
) -> dict[str, Any]:
    """The ``server`` entry, checked; raises ConfigError naming every problem."""
    problems: list[str] = []
    if kind not in KINDS:
        problems.append(f'--server-kind: vllm, mlc or llamacpp, not "{kind}"')
    url = urlsplit(base_url)
    if not (url.scheme == "https" or (url.scheme == "http" and LOOPBACK.match(url.hostname or ""))):
        problems.append(f'--server-url: "{base_url}" must be https (only this computer, localhost/127.0.0.1, may use http)')
    elif url.query or url.fragment or url.username or url.password:
        problems.append(f'--server-url: "{base_url}" must not carry a query, fragment or credentials')
    base = base_url.rstrip("/")
    if not base.endswith("/v1"):
        problems.append(f'--server-url: "{base_url}" should end in /v1 (the OpenAI-compatible API root)')
    if not model.strip():
        problems.append("--server-model: the served model name, as GET /v1/models lists it")
    if lora_adapter is not None and not lora_adapter.strip():
        problems.append("--lora-adapter: the adapter name given to vLLM's --lora-modules")
    if concurrency is not None and not 1 <= concurrency <= 256:
        problems.append("--concurrency: a whole number from 1 to 256")
    if context_window is not None and context_window <= 0:
        problems.append("--context-window: a positive whole number")
    if prompt_profile is not None and prompt_profile not in ("full", "compact"):
        problems.append('--prompt-profile: "full" or "compact" (what the served fine-tune was trained with)')
    if problems:
        raise ConfigError("; ".join(problems))
    entry: dict[str, Any] = {"kind": kind, "base_url": base, "model": model.strip()}
    if lora_adapter:
        entry["lora_adapter"] = lora_adapter.strip()
    if display_name:
        entry["display_name"] = display_name
    if concurrency is not None:
        entry["concurrency"] = concurrency
    if context_window is not None:
        entry["context_window"] = context_window
    if prompt_profile is not None:
        entry["liuhen_prompt"] = {"profile": prompt_profile, "fields": prompt_fields}
    return entry


def register_server(registry_path: str | Path, entry: dict[str, Any]) -> dict[str, Any]:
    """Writes ``entry`` as the registry file's ``server`` (replacing one already there); returns the file's content.

    A list-form file becomes ``{"models": [...], "server": {...}}``; its models and ``default`` are kept.
    """
    from .register import _check_registry_location, _read_registry

    path = Path(registry_path)
    _check_registry_location(path)
    models, wrapper = _read_registry(path, "--registry") if path.exists() else ([], None)
    out: dict[str, Any] = {**(wrapper or {}), "models": models, "server": entry}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    via = f" (LoRA adapter {entry['lora_adapter']})" if "lora_adapter" in entry else ""
    print(f"server: {entry['kind']} at {entry['base_url']}, model {entry['model']}{via} in {path}; the pane now sends the "
          "writers' text to that server — rebuild with the file in deploy/ so its origin joins connect-src")
    return out


__all__: Sequence[str] = ("server_entry", "register_server", "KINDS")
