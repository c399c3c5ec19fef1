"""The deployment traps an admin met, each refused with a message that says what to do instead."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from liuhen_models import ConfigError
from liuhen_models.convert import MLC_INSTALL_HINT, convert
from liuhen_models.hub import ensure_model_available
from liuhen_models.register import register
from test_convert import fake_merged

GOLDEN = Path(__file__).parent / "golden" / "model-records.json"
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture()
def no_mlc(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://huggingface.co/acme/{folder}/resolve/<commit>/", "still contains the placeholder '<commit>'"),
        ("https://models.acme.cn/liuhen/resolve/main/", "is not pinned (resolve/main/"),
        ("https://huggingface.co/acme/{folder}/resolve/main/", "is not pinned"),
        ("https://models.acme.cn/liuhen/resolve/v1/", "resolve/v1/ is a branch or tag"),
    ],
)
def test_convert_refuses_placeholders_and_unpinned_revisions(tmp_path, no_mlc, url, message):
    with pytest.raises(ConfigError, match="^--weights-url:") as info:
        convert(fake_merged(tmp_path / "merged"), tmp_path / "o", "acme", url)
    assert message in str(info.value)
    assert not (tmp_path / "o" / "model-records.json").exists()


def test_convert_hint_is_mlcs_documented_nightly_wheel_and_records_carry_the_prompt_profile(tmp_path, no_mlc, capsys):
    merged = fake_merged(tmp_path / "merged")
    (merged / "merge_info.json").write_text(json.dumps({"liuhen_prompt": {"profile": "compact", "fields": False}}))
    records = convert(merged, tmp_path / "o", "acme", "https://models.acme.cn/liuhen/resolve/3f2a9c1/")
    assert MLC_INSTALL_HINT == "python -m pip install --pre -U -f https://mlc.ai/wheels mlc-llm-nightly-cpu mlc-ai-nightly-cpu"
    assert MLC_INSTALL_HINT in capsys.readouterr().out
    assert {json.dumps(r["liuhen_prompt"]) for r in records} == {'{"profile": "compact", "fields": false}'}
    # ...and register (the add-in's rules) accepts that key.
    register(tmp_path / "o" / "model-records.json", tmp_path / "registry.json")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"model": "https://huggingface.co/acme/x-q4f32_1-MLC/resolve/<commit>/"}, "placeholder '<commit>'"),
        ({"model": "https://models.acme.cn/liuhen/resolve/main/x/"}, "is not pinned"),
        ({"model_lib": "https://libs.acme.cn/<version>/x.wasm"}, "placeholder '<version>'"),
        ({"model": "https://models.acme.cn/liuhen/resolve/3f2a9c1/x-MLC/"}, "give the full URL ending in /resolve/<commit>/"),
        ({"model_lib": "https://raw.githubusercontent.com/acme/libs/main/x.wasm"}, "model_lib: 'https://raw.githubusercontent.com/acme/libs/main/x.wasm' is not pinned"),
        ({"liuhen_prompt": {"profile": "short"}}, "liuhen_prompt: must be"),
    ],
)
def test_register_refuses_records_that_would_404_or_drift(tmp_path, change, message):
    record = {**json.loads(GOLDEN.read_text())[0], **change}
    (tmp_path / "r.json").write_text(json.dumps([record]))
    with pytest.raises(ConfigError) as info:
        register(tmp_path / "r.json", tmp_path / "registry.json")
    assert message in str(info.value)
    assert not (tmp_path / "registry.json").exists()


def test_register_keeps_the_default_models_form(tmp_path):
    registry = tmp_path / "model-records.json"
    other = {"model": "https://models.acme.cn/liuhen/other-q4f32_1-MLC/resolve/3f2a9c1/", "model_id": "other-q4f32_1",
             "model_lib": "https://libs.acme.cn/Qwen2-0.5B-Instruct-q4f32_1_cs1k-webgpu.wasm",
             "integrity": {"model_lib": "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}}
    registry.write_text(json.dumps({"default": "other-q4f32_1", "models": [other]}))
    register(GOLDEN, registry)
    saved = json.loads(registry.read_text())
    assert saved["default"] == "other-q4f32_1"
    assert [m["model_id"] for m in saved["models"]] == ["other-q4f32_1", "acme-exit-qwen2.5-1.5b-q4f16_1", "acme-exit-qwen2.5-1.5b-q4f32_1"]
    registry.write_text(json.dumps({"default": "x", "models": [], "extra": 1}))
    with pytest.raises(ConfigError, match="unknown key"):
        register(GOLDEN, registry)


def test_register_refuses_dist_which_every_build_empties(tmp_path):
    with pytest.raises(ConfigError, match="inside dist/, which every build empties") as info:
        register(GOLDEN, REPO / "dist" / "model-records.json")
    assert "deploy/model-records.json" in str(info.value)


def test_an_unreachable_hub_fails_in_seconds_not_a_minute(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    t0 = time.perf_counter()
    with pytest.raises(ConfigError, match="^base_model: 'acme/not-cached-model' is not in the local Hugging Face cache and HF_HUB_OFFLINE is set"):
        ensure_model_available("acme/not-cached-model", "base_model")
    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens on the discard port
    with pytest.raises(ConfigError, match="cannot reach 127.0.0.1"):
        ensure_model_available("acme/not-cached-model", "--base")
    assert time.perf_counter() - t0 < 10
    ensure_model_available(os.fspath(Path(__file__).parent), "--base")  # a local folder is never checked
