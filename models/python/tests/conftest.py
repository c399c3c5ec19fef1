"""Fixtures: a tiny random Qwen2 model with a locally trained byte-level BPE tokenizer (no downloads)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

SYSTEM = "你是留痕 HR 写作助手。按公司模板输出离职面谈记录：【离职原因】【在职体验】【意见建议】。"

from liuhen_models.tiny import QWEN_CHAT_TEMPLATE  # noqa: E402,F401  (re-exported for the tests)

RECORDS = [
    (
        "面谈记录：员工张某，入职三年。表示主要因为通勤时间过长而离职，对团队氛围满意，建议增加远程办公。",
        "【离职原因】通勤时间过长（stated: commute）。\n【在职体验】对团队氛围满意。\n【意见建议】增加远程办公选项。",
    ),
    (
        "Exit interview: the employee is leaving for a role with a clearer promotion path; praised the manager's coaching.",
        "【离职原因】Career growth: clearer promotion path elsewhere.\n【在职体验】Positive about the manager's coaching.\n【意见建议】Publish promotion criteria.",
    ),
    (
        "员工反馈薪酬低于市场水平，加班较多，希望公司优化排班。对培训资源表示认可。",
        "【离职原因】薪酬低于市场水平；加班较多。\n【在职体验】认可培训资源。\n【意见建议】优化排班，开展薪酬对标。",
    ),
    (
        "The employee relocates to another city for family reasons. Enjoyed the projects; suggests better onboarding documents.",
        "【离职原因】Relocation (family reasons).\n【在职体验】Enjoyed the projects.\n【意见建议】Improve onboarding documents.",
    ),
]

CORPUS = [
    SYSTEM,
    "离职面谈记录 员工 经理 团队 氛围 薪酬 绩效 晋升 培训 通勤 远程办公 加班 排班 建议 反馈",
    "人才盘点 九宫格 高潜 继任 发展 优势 待发展 信心 来源",
    "exit interview employee manager team promotion path coaching training onboarding relocation family",
    "talent review strengths development succession readiness risk confidence source",
] + [u for u, _ in RECORDS] + [a for _, a in RECORDS]


def chat(user: str, answer: str) -> dict:
    return {"messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}, {"role": "assistant", "content": answer}]}


def build_tokenizer(folder: Path):
    from liuhen_models.tiny import build_tokenizer as build

    return build(folder, CORPUS)


def build_tiny_qwen2(folder: Path, seed: int = 0) -> Path:
    from liuhen_models.tiny import build_tiny_qwen2 as build

    return build(folder, CORPUS, seed=seed)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    return build_tiny_qwen2(tmp_path_factory.mktemp("tiny-qwen2"))


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture()
def dataset_dir(tmp_path) -> Path:
    """A small repeated dataset (4 distinct records x 6) as written by `npm run dataset`."""
    rows = [chat(u, a) for u, a in RECORDS] * 6
    write_jsonl(tmp_path / "data" / "train.jsonl", rows)
    return tmp_path / "data"


def base_config(tiny_model: Path, data_dir: Path, out: Path, **overrides) -> dict:
    cfg = {
        "train_data_dir": str(data_dir),
        "metadata_path": "train.jsonl",
        "base_model": str(tiny_model),
        "task_type": "CAUSAL_LM",
        "lora_rank": 8,
        "lora_alpha": 16,
        "lora_dropout": 0.0,
        "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
        "batch_size": 4,
        "epochs": 6,
        "learning_rate": 5e-3,
        "output_dir": str(out / "adapters"),
        "log_dir": str(out / "runs"),
        "validation_split": 0.2,
        "early_stopping_patience": 3,
        "warmup_ratio": 0.1,
        "max_grad_norm": 1.0,
        "seed": 1234,
        "max_seq_length": 512,
    }
    cfg.update(overrides)
    return cfg
