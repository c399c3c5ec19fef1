"""The fine-tune guide end to end on a tiny model, CPU only: a seed-format CSV (the three sections, no fields line)
→ npm run dataset → train → merge → generate (the pane's grammar, via the Node helper) → npm run eval --compare,
then incremental training on new approved records from the adapter, and the merge traps. Needs Node and the
repository's node_modules (npm ci); skipped without them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from liuhen_models import ConfigError
from liuhen_models.config import validate_config
from liuhen_models.generate import generate
from liuhen_models.merge import merge
from liuhen_models.tiny import build_tiny_qwen2, corpus_from
from liuhen_models.train import SUMMARY_FILE, train

REPO = Path(__file__).resolve().parents[3]
SEED_CSV = REPO / "models" / "dataset" / "samples" / "exit-interview.seed.zh-CN.csv"

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (REPO / "node_modules" / "tsx").is_dir(), reason="needs Node and npm ci"
)


def npm(script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["node", "--import", "tsx", str(REPO / "scripts" / f"{script}.ts"), *args], cwd=REPO,
                          capture_output=True, text=True, timeout=300)


def config(base: Path, data: Path, out: Path, **extra) -> dict:
    cfg = {
        "train_data_dir": str(data), "metadata_path": "train.jsonl", "validation_path": "val.jsonl", "base_model": str(base),
        "task_type": "CAUSAL_LM", "lora_rank": 8, "lora_alpha": 16, "lora_dropout": 0.0, "target_modules": "all-linear",
        "batch_size": 4, "epochs": 3, "learning_rate": 1e-2, "output_dir": str(out / "adapters"), "log_dir": str(out / "runs"),
        "early_stopping_patience": 2, "warmup_ratio": 0.1, "seed": 1234, "max_seq_length": 1024,
    }
    cfg.update(extra)
    return cfg


@pytest.fixture(scope="module")
def guide(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("guide")
    base = build_tiny_qwen2(tmp / "tiny", corpus_from([SEED_CSV]), vocab_size=2000, max_positions=4096)
    r = npm("dataset", "--input", str(SEED_CSV), "--template", "exit-interview", "--lang", "zh-CN", "--out", str(tmp / "data"), "--val", "0.2")
    assert r.returncode == 0, r.stderr
    return tmp, base, r.stdout


def test_seed_csv_through_dataset_train_merge_generate_eval(guide, capsys):
    tmp, base, dataset_out = guide
    assert "12 rows, 12 valid, 0 with errors" in dataset_out
    assert "prompt profile compact, sections only" in dataset_out
    data = tmp / "data"

    run = train(validate_config(config(base, data, tmp)))
    summary = json.loads((run / SUMMARY_FILE).read_text())
    assert summary["liuhen_prompt"] == {"profile": "compact", "fields": False}  # from the data card
    assert summary["assessment"]["verdict"] and summary["assessment"]["val_improved"] is not None
    assert "assessment: " in capsys.readouterr().out

    merged = tmp / "merged" / "ft-v1"
    info = merge(str(base), [run], merged)
    assert info["liuhen_prompt"] == {"profile": "compact", "fields": False}

    val = data / "val.jsonl"
    ft = generate(str(merged), str(val), template="exit-interview", lang="zh-CN", label="ft-v1", max_new_tokens=160)
    bl = generate(str(base), str(val), template="exit-interview", lang="zh-CN", label="base", max_new_tokens=160)
    ft_lines = [json.loads(x) for x in ft.read_text().splitlines()]
    base_lines = [json.loads(x) for x in bl.read_text().splitlines()]
    assert len(ft_lines) == len(base_lines) == 2
    # The prompt of the fine-tune is the one it was trained on, byte for byte (the data's system + user messages).
    trained = [json.loads(x)["messages"][:2] for x in val.read_text().splitlines()]
    assert [x["messages"] for x in ft_lines] == trained
    assert all(x["profile"] == {"profile": "compact", "fields": False} for x in ft_lines)
    assert all(x["profile"] == {"profile": "full", "fields": False} for x in base_lines)
    # The grammar constrains even a random model: every output starts with the first heading on its own line and
    # never has the fields block (the sections-only contract).
    for x in ft_lines + base_lines:
        assert x["output"].startswith("【离职原因】\n"), x["output"][:40]
        assert "【结构化信息】" not in x["output"]
    assert sum(x["prompt_tokens"] for x in ft_lines) < sum(x["prompt_tokens"] for x in base_lines) / 2

    r = npm("eval", "--template", "exit-interview", "--lang", "zh-CN", "--data", str(val), "--compare", "base,ft-v1")
    assert r.returncode == 0, r.stderr
    table = r.stdout
    print(table)
    assert "| metric | base | ft-v1 |" in table
    assert "| prompt profile | full, no fields | compact, no fields |" in table
    assert "| prompt mismatches | 0 | 0 |" in table
    for metric in ("raw output keeps the contract", "length violations", "personal data in outputs", "ROUGE-L F1 (characters)"):
        assert f"| {metric} |" in table
    report = json.loads((data / "generations" / "compare-report.json").read_text())
    assert [x["label"] for x in report] == ["base", "ft-v1"]

    # A generations file whose prompts were not the pipeline's is refused (exit 1), not scored.
    bad = data / "generations" / "tampered.jsonl"
    lines = [json.loads(x) for x in ft.read_text().splitlines()]
    lines[0]["messages"][0]["content"] += " "
    bad.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines))
    r = npm("eval", "--template", "exit-interview", "--lang", "zh-CN", "--outputs", str(bad))
    assert r.returncode == 1
    assert "prompt mismatch" in r.stderr


def test_incremental_training_from_the_adapter_on_new_approved_records(guide):
    tmp, base, _ = guide
    first = train(validate_config(config(base, tmp / "data", tmp / "v1", epochs=1)))
    # New approved records, in the dataset builder's input format (what "Export approved records" writes).
    rows = [json.loads(x) for x in (tmp / "data" / "train.jsonl").read_text().splitlines()][:4]
    approved = tmp / "approved.jsonl"
    approved.write_text("".join(json.dumps({"input": r["meta"]["source"], "output": r["messages"][2]["content"], "kind": r["meta"]["kind"]},
                                           ensure_ascii=False) + "\n" for r in rows))
    r = npm("dataset", "--input", str(approved), "--template", "exit-interview", "--lang", "zh-CN", "--out", str(tmp / "data-q2"), "--val", "0.25")
    assert r.returncode == 0, r.stderr
    second = train(validate_config(config(base, tmp / "data-q2", tmp / "v2", epochs=1, init_adapter=str(first))))
    s = json.loads((second / SUMMARY_FILE).read_text())
    assert s["init_adapter"] == str(first)
    assert s["base_fingerprint"] == json.loads((first / SUMMARY_FILE).read_text())["base_fingerprint"]
    # It continued the adapter (its weights start from the first run's, so its first validation loss is lower
    # than a fresh adapter's on the same data).
    fresh = train(validate_config(config(base, tmp / "data-q2", tmp / "fresh", epochs=1)))
    assert s["initial_val_loss"] < json.loads((fresh / SUMMARY_FILE).read_text())["initial_val_loss"]

    # A data set rendered with another prompt profile cannot continue this adapter.
    r = npm("dataset", "--input", str(approved), "--template", "exit-interview", "--lang", "zh-CN", "--out", str(tmp / "data-full"),
            "--val", "0.25", "--prompt", "full")
    assert r.returncode == 0, r.stderr
    with pytest.raises(ConfigError, match="^init_adapter: it was trained with the prompt profile"):
        train(validate_config(config(base, tmp / "data-full", tmp / "v3", epochs=1, init_adapter=str(first))))


def test_merge_refuses_another_base_and_force_never_deletes_a_foreign_folder(guide):
    tmp, base, _ = guide
    run = next((tmp / "adapters").iterdir()) if (tmp / "adapters").is_dir() else train(validate_config(config(base, tmp / "data", tmp, epochs=1)))
    other = build_tiny_qwen2(tmp / "other-base", corpus_from([SEED_CSV]), seed=1, vocab_size=2000, max_positions=4096)
    with pytest.raises(ConfigError, match="^--base: adapter .* was trained on .*base weights \\(fingerprint"):
        merge(str(other), [run], tmp / "wrong")
    assert not (tmp / "wrong").exists()

    precious = tmp / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    with pytest.raises(ConfigError, match="not a merged model written by this command"):
        merge(str(base), [run], precious, force=True)
    assert (precious / "notes.txt").read_text() == "keep me"
    with pytest.raises(ConfigError, match="choose a new folder"):
        merge(str(base), [run], base, force=True)
    assert (base / "config.json").is_file()
    # --force does replace an earlier merge, and only once the new one is verified.
    target = tmp / "merged-force"
    merge(str(base), [run], target)
    merge(str(base), [run], target, force=True)
    assert (target / "merge_info.json").is_file()
    assert not [p for p in tmp.iterdir() if p.name.startswith(".merged-force.merging")]
    os.sync()
