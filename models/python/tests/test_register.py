"""`register` and the records `convert` writes, checked against what the add-in's registry accepts.

tests/golden/model-records.json is what `convert` writes for a fixed merged 1.5B model; this file checks that
`convert` still writes exactly it, and models/python/model-records.test.ts (vitest) checks that the add-in's
validator (shared/engine/registry/custom.ts, parseCustomRecords) accepts it with no error and no warning.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from liuhen_models import ConfigError
from liuhen_models.cli import main
from liuhen_models.convert import convert
from liuhen_models.register import check_record, register
from test_convert import fake_merged

GOLDEN = Path(__file__).parent / "golden" / "model-records.json"
HF_URL = "https://huggingface.co/acme/{folder}/resolve/3f2a9c1/"


@pytest.fixture()
def no_mlc(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))


def test_convert_writes_the_golden_records_the_add_in_accepts(tmp_path, no_mlc):
    merged = fake_merged(tmp_path / "merged")
    convert(merged, tmp_path / "webllm", "acme-exit-qwen2.5-1.5b", HF_URL)
    written = json.loads((tmp_path / "webllm" / "model-records.json").read_text(encoding="utf-8"))
    assert written == json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert all(check_record(r) == [] for r in written)


def test_register_adds_replaces_and_refuses(tmp_path, capsys):
    registry = tmp_path / "site" / "model-records.json"
    assert main(["register", "--records", str(GOLDEN), "--registry", str(registry)]) == 0
    assert [r["model_id"] for r in json.loads(registry.read_text())] == [
        "acme-exit-qwen2.5-1.5b-q4f16_1", "acme-exit-qwen2.5-1.5b-q4f32_1"]

    # Registering the same ids again needs --replace, and keeps other companies' entries.
    other = {"model": "https://models.acme.cn/liuhen/resolve/v1/other-q4f32_1-MLC/", "model_id": "other-q4f32_1",
             "model_lib": "https://libs.acme.cn/Qwen2-0.5B-Instruct-q4f32_1_cs1k-webgpu.wasm"}
    registry.write_text(json.dumps(json.loads(registry.read_text()) + [other]), encoding="utf-8")
    assert main(["register", "--records", str(GOLDEN), "--registry", str(registry)]) == 2
    assert "already in" in capsys.readouterr().err
    merged = register(GOLDEN, registry, replace=True)
    assert [r["model_id"] for r in merged] == ["other-q4f32_1", "acme-exit-qwen2.5-1.5b-q4f16_1", "acme-exit-qwen2.5-1.5b-q4f32_1"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"model": "http://models.acme.cn/x/resolve/v1/"}, "model: must be an https:// URL"),
        ({"model": "https://huggingface.co/acme/resolve/main/"}, "model: on huggingface.co use the layout"),
        ({"model_lib": "https://libs.acme.cn/lib.js"}, "model_lib: must be the URL of a compiled model library"),
        ({"model_id": "acme exit"}, "model_id: use letters"),
        ({"required_features": ["fp16"]}, 'required_features: "fp16" is not a WebGPU feature'),
        ({"required_features": []}, 'a q4f16_1 model needs "shader-f16"'),
        ({"overrides": {"context_window_size": 0}}, "overrides.context_window_size"),
        ({"vram": 1}, 'unknown field "vram"'),
    ],
)
def test_records_the_add_in_would_refuse_are_not_registered(tmp_path, change, message):
    record = {**json.loads(GOLDEN.read_text())[0], **change}
    records = tmp_path / "records.json"
    records.write_text(json.dumps([record]), encoding="utf-8")
    registry = tmp_path / "registry.json"
    with pytest.raises(ConfigError, match="would be refused by the add-in") as info:
        register(records, registry)
    assert message in str(info.value)
    assert not registry.exists()
