from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest

from liuhen_models import ConfigError, VerificationError
from liuhen_models.cli import main
from liuhen_models.convert import DEFAULT_MODEL_LIB_BASE, QWEN_SIZES, check_architecture, convert

REPO = Path(__file__).resolve().parents[3]
URL = "https://models.acme.cn/liuhen/resolve/3f2a9c1/"
RECORD_FIELDS = {"model", "model_id", "model_lib", "required_features", "overrides", "vram_required_MB", "low_resource_required"}


def fake_merged(folder: Path, size: str = "1.5B", **changes) -> Path:
    """A merged-model folder's config.json (convert reads only this when mlc_llm is absent)."""
    arch = next(s for s in QWEN_SIZES if s.name == size).arch
    cfg = {"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"], **arch, "torch_dtype": "bfloat16", **changes}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(cfg), encoding="utf-8")
    return folder


@pytest.fixture()
def no_mlc(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))


def test_prints_mlc_commands_and_writes_model_records(tmp_path, no_mlc, capsys):
    merged = fake_merged(tmp_path / "merged")
    out = tmp_path / "webllm"
    assert main(["convert", "--merged", str(merged), "--out", str(out), "--model-id", "acme-exit-1.5b", "--weights-url", URL]) == 0
    printed = capsys.readouterr().out
    for q in ("q4f16_1", "q4f32_1"):
        target = out / f"acme-exit-1.5b-{q}-MLC"
        assert f"mlc_llm convert_weight {merged} --quantization {q} -o {target}" in printed
        assert f"mlc_llm gen_config {merged} --quantization {q} --conv-template qwen2" in printed
        assert re.search(rf"gen_config .* -o {re.escape(str(target))}$", printed, re.M)

    records = json.loads((out / "model-records.json").read_text())
    assert [r["model_id"] for r in records] == ["acme-exit-1.5b-q4f16_1", "acme-exit-1.5b-q4f32_1"]
    f16, f32 = records
    assert set(f16) == RECORD_FIELDS and set(f32) == RECORD_FIELDS - {"required_features"}
    assert f16["required_features"] == ["shader-f16"]
    assert f16["model"] == "https://models.acme.cn/liuhen/acme-exit-1.5b-q4f16_1-MLC/resolve/3f2a9c1/"
    assert f16["model_lib"] == DEFAULT_MODEL_LIB_BASE + "Qwen2-1.5B-Instruct-q4f16_1_cs1k-webgpu.wasm"
    assert f32["model_lib"].endswith("/Qwen2-1.5B-Instruct-q4f32_1_cs1k-webgpu.wasm")
    assert f16["overrides"] == {"context_window_size": 4096}
    assert f16["vram_required_MB"] == pytest.approx(1629.75) and f16["low_resource_required"] is True


def test_options_select_quantization_lib_base_and_context(tmp_path, no_mlc):
    merged = fake_merged(tmp_path / "merged", size="7B")
    records = convert(merged, tmp_path / "o", "acme-7b", "https://models.acme.cn/{folder}/resolve/3f2a9c1",
                      ["q4f32_1"], model_lib_base="https://libs.acme.cn/webllm/", context_window=8192)
    assert records == [{
        "model": "https://models.acme.cn/acme-7b-q4f32_1-MLC/resolve/3f2a9c1/",
        "model_id": "acme-7b-q4f32_1",
        "model_lib": "https://libs.acme.cn/webllm/Qwen2-7B-Instruct-q4f32_1_cs1k-webgpu.wasm",
        "overrides": {"context_window_size": 8192},
        "vram_required_MB": 5900.09,
        "low_resource_required": False,
    }]


def test_hugging_face_hosts_get_one_repository_per_quantization(tmp_path, no_mlc):
    merged = fake_merged(tmp_path / "merged")
    records = convert(merged, tmp_path / "o", "acme-exit-1.5b", "https://huggingface.co/acme/{folder}/resolve/3f2a9c1/")
    assert [r["model"] for r in records] == [
        "https://huggingface.co/acme/acme-exit-1.5b-q4f16_1-MLC/resolve/3f2a9c1/",
        "https://huggingface.co/acme/acme-exit-1.5b-q4f32_1-MLC/resolve/3f2a9c1/",
    ]
    # Liuhen's registry accepts exactly /<org>/<repo>/resolve/<rev>/ on Hugging Face-style hosts.
    assert all(re.fullmatch(r"https://huggingface\.co/[^/]+/[^/]+/resolve/[^/]+/", r["model"]) for r in records)


def test_runs_mlc_llm_when_installed(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.txt"
    script = bin_dir / "mlc_llm"
    script.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(bin_dir) + os.pathsep + os.environ.get("PATH", ""))
    merged = fake_merged(tmp_path / "merged")
    convert(merged, tmp_path / "o", "acme", URL, ["q4f16_1"])
    calls = log.read_text().splitlines()
    assert calls[0].startswith(f"convert_weight {merged} --quantization q4f16_1 -o ")
    assert calls[1].startswith(f"gen_config {merged} --quantization q4f16_1 --conv-template qwen2 ")


def test_architecture_changes_are_refused(tmp_path, tiny_model):
    with pytest.raises(VerificationError, match="model_type is 'llama'"):
        check_architecture(fake_merged(tmp_path / "llama", model_type="llama"))
    with pytest.raises(VerificationError, match="matches no Qwen2.5 size"):
        check_architecture(tiny_model)  # hidden 64: no prebuilt library
    base = fake_merged(tmp_path / "base")
    with pytest.raises(VerificationError, match="differs from the base model .*vocab_size 151936 -> 151937"):
        check_architecture(fake_merged(tmp_path / "grown", vocab_size=151937), base)
    assert check_architecture(fake_merged(tmp_path / "ok"), base).name == "1.5B"


def test_bad_arguments_name_the_option(tmp_path, no_mlc, capsys):
    merged = fake_merged(tmp_path / "merged")
    with pytest.raises(ConfigError, match="^--weights-url:"):
        convert(merged, tmp_path / "o", "acme", "https://models.acme.cn/liuhen-exit")
    with pytest.raises(ConfigError, match="^--weights-url: huggingface.co serves one model per repository"):
        convert(merged, tmp_path / "o", "acme", "https://huggingface.co/acme/liuhen/resolve/3f2a9c1/")
    with pytest.raises(ConfigError, match="^--weights-url:"):
        convert(merged, tmp_path / "o", "acme", "http://example.com/acme/resolve/3f2a9c1/")
    with pytest.raises(ConfigError, match="^--model-id:"):
        convert(merged, tmp_path / "o", "acme exit", URL)
    assert main(["convert", "--merged", str(tmp_path / "nothing"), "--out", str(tmp_path / "o"),
                 "--model-id", "x", "--weights-url", URL]) == 2
    assert "--merged:" in capsys.readouterr().err


def test_default_model_lib_base_matches_the_installed_web_llm():
    index = REPO / "node_modules" / "@mlc-ai" / "web-llm" / "lib" / "index.js"
    if not index.is_file():
        pytest.skip("node_modules not installed")
    text = index.read_text(encoding="utf-8", errors="replace")
    prefix = re.search(r'const modelLibURLPrefix = "([^"]+)"', text).group(1)
    version = re.search(r'const modelVersion = "([^"]+)"', text).group(1)
    assert DEFAULT_MODEL_LIB_BASE == f"{prefix}{version}/"
