"""`register --server-url …` writes the registry file's company-server entry, checked like the add-in's reader.

tests/golden/server-model-records.json is what this command writes for a vLLM server with a LoRA adapter; the
vitest test/engine/server-registry.test.ts checks that the add-in's reader (shared/engine/registry/file.ts) accepts it
with no problem and runs the adapter on that server.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from liuhen_models import ConfigError
from liuhen_models.cli import main
from liuhen_models.server import server_entry

GOLDEN = Path(__file__).parent / "golden" / "server-model-records.json"
RECORDS = Path(__file__).parent / "golden" / "model-records.json"
ARGS = ["--server-url", "https://llm.acme.example/v1/", "--server-model", "Qwen/Qwen2.5-7B-Instruct", "--lora-adapter", "acme-hr",
        "--concurrency", "8", "--prompt-profile", "compact"]


def test_register_writes_the_server_entry(tmp_path, capsys):
    registry = tmp_path / "deploy" / "model-records.json"
    assert main(["register", "--registry", str(registry), *ARGS]) == 0
    assert json.loads(registry.read_text(encoding="utf-8")) == json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert "sends the writers' text to that server" in capsys.readouterr().out


def test_server_beside_models_keeps_both(tmp_path):
    registry = tmp_path / "model-records.json"
    assert main(["register", "--records", str(RECORDS), "--registry", str(registry)]) == 0
    assert main(["register", "--registry", str(registry), *ARGS]) == 0
    data = json.loads(registry.read_text(encoding="utf-8"))
    assert [m["model_id"] for m in data["models"]] == [r["model_id"] for r in json.loads(RECORDS.read_text(encoding="utf-8"))]
    assert data["server"]["lora_adapter"] == "acme-hr"
    # Registering models again keeps the server.
    assert main(["register", "--records", str(RECORDS), "--registry", str(registry), "--replace"]) == 0
    assert json.loads(registry.read_text(encoding="utf-8"))["server"]["model"] == "Qwen/Qwen2.5-7B-Instruct"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"base_url": "http://llm.acme.example/v1", "model": "m"}, "must be https"),
        ({"base_url": "https://llm.acme.example/api", "model": "m"}, "should end in /v1"),
        ({"base_url": "https://llm.acme.example/v1", "model": " "}, "--server-model"),
        ({"base_url": "https://llm.acme.example/v1", "model": "m", "kind": "tgi"}, "vllm, mlc or llamacpp"),
        ({"base_url": "https://llm.acme.example/v1", "model": "m", "concurrency": 0}, "1 to 256"),
    ],
)
def test_bad_entries_are_refused(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        server_entry(**kwargs)


def test_loopback_http_is_allowed_for_a_server_on_this_computer():
    assert server_entry("http://127.0.0.1:8000/v1", "m")["base_url"] == "http://127.0.0.1:8000/v1"


def test_register_without_records_or_server_is_an_error(tmp_path, capsys):
    assert main(["register", "--registry", str(tmp_path / "r.json")]) != 0
    assert "--server-url" in capsys.readouterr().err
