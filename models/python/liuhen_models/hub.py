"""Failing fast when a hub model id cannot be had: offline, ``HF_HUB_OFFLINE``, or an unreachable hub.

Without this, transformers retries a hub id for about a minute before it fails on a machine without
network. A local folder is never checked; a hub id already in the local Hugging Face cache is used as is.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlparse

from . import ConfigError

CONNECT_TIMEOUT_S = 3.0


def _offline() -> bool:
    return any(os.environ.get(v, "").strip().lower() in ("1", "true", "yes", "on") for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def _cached(repo_id: str) -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - huggingface_hub comes with transformers
        return False
    hit = try_to_load_from_cache(repo_id, "config.json")
    return isinstance(hit, str)


def ensure_model_available(name: str, flag: str) -> None:
    """Raise a one-line :class:`ConfigError` at once when ``name`` is a hub id that cannot be fetched now."""
    if Path(name).expanduser().is_dir() or "/" not in name or _cached(name):
        return
    fix = (f"download it where there is access (`huggingface-cli download {name} --local-dir models/base/{name.split('/')[-1]}`) "
           f"and give that folder as {flag}")
    if _offline():
        raise ConfigError(f"{flag}: {name!r} is not in the local Hugging Face cache and HF_HUB_OFFLINE is set; {fix}")
    endpoint = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    host, port = endpoint.hostname or "huggingface.co", endpoint.port or (443 if endpoint.scheme != "http" else 80)
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S):
            pass
    except OSError as exc:
        raise ConfigError(f"{flag}: cannot reach {host} to download {name!r} ({exc.__class__.__name__} within "
                          f"{CONNECT_TIMEOUT_S:g} s); {fix}") from None
