from __future__ import annotations

import json
import re

import pytest
import torch

from conftest import RECORDS, base_config, chat
from liuhen_models.config import validate_config
from liuhen_models.data import encode_chat
from liuhen_models.train import SUMMARY_FILE, train


def mean_answer_loss(model, tokenizer) -> float:
    """Mean loss over the assistant tokens of the distinct training records."""
    losses = []
    model.eval()
    with torch.no_grad():
        for user, answer in RECORDS:
            enc = encode_chat(tokenizer, chat(user, answer)["messages"])
            out = model(input_ids=torch.tensor([enc.input_ids]), labels=torch.tensor([enc.labels]))
            losses.append(float(out.loss))
    return sum(losses) / len(losses)


def test_training_lowers_loss_and_saves_a_peft_adapter(tiny_model, dataset_dir, tmp_path, capsys):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    cfg = validate_config(base_config(tiny_model, dataset_dir, tmp_path, epochs=6, learning_rate=5e-3))
    run_dir = train(cfg)

    assert re.fullmatch(r"\d{8}-n24-r8", run_dir.name)
    assert (run_dir / "adapter_model.safetensors").is_file()
    adapter_cfg = json.loads((run_dir / "adapter_config.json").read_text())
    assert adapter_cfg["peft_type"] == "LORA" and adapter_cfg["task_type"] == "CAUSAL_LM"
    assert (adapter_cfg["r"], adapter_cfg["lora_alpha"]) == (8, 16)
    assert list((tmp_path / "runs" / run_dir.name).glob("events.out.tfevents.*")), "no TensorBoard events"

    summary = json.loads((run_dir / SUMMARY_FILE).read_text())
    assert (summary["train_size"], summary["val_size"]) == (19, 5)
    assert summary["base_model"] == str(tiny_model)
    assert summary["global_steps"] == 30 and summary["stopped_early"] is False
    assert summary["best_val_loss"] < summary["initial_val_loss"]

    tokenizer = AutoTokenizer.from_pretrained(str(tiny_model))
    base = AutoModelForCausalLM.from_pretrained(str(tiny_model))
    before = mean_answer_loss(base, tokenizer)
    tuned = PeftModel.from_pretrained(base, str(run_dir))
    after = mean_answer_loss(tuned, tokenizer)
    print(f"answer loss before {before:.3f} after {after:.3f}")
    assert after < 0.8 * before, (before, after)


def test_early_stopping_stops_when_validation_loss_rises(tiny_model, dataset_dir, tmp_path):
    from transformers import TrainerCallback

    rising = iter([1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7])

    class RisingValLoss(TrainerCallback):
        """Runs before EarlyStoppingCallback and replaces the measured validation loss."""

        def on_evaluate(self, args, state, control, metrics=None, **kwargs):
            if state.global_step > 0:  # the pre-training evaluation is not part of early stopping
                metrics["eval_loss"] = next(rising)

    cfg = validate_config(
        base_config(tiny_model, dataset_dir, tmp_path, epochs=8, early_stopping_patience=2,
                    target_modules=["q_proj", "v_proj"])
    )
    run_dir = train(cfg, extra_callbacks=[RisingValLoss()])
    summary = json.loads((run_dir / SUMMARY_FILE).read_text())
    steps_per_epoch = 5  # 19 training examples, batch 4
    assert summary["stopped_early"] is True
    assert summary["global_steps"] == 3 * steps_per_epoch  # best at epoch 1, then 2 worse evaluations
    assert summary["best_val_loss"] == pytest.approx(1.0)
    assert summary["best_checkpoint"].endswith(f"checkpoint-{steps_per_epoch}")
    assert (run_dir / "adapter_model.safetensors").is_file()


def test_accelerate_launch_runs_the_same_entry_point_on_two_processes(tiny_model, dataset_dir, tmp_path):
    """`accelerate launch -m liuhen_models train` (here: 2 CPU processes over gloo) shares one run folder."""
    import os
    import socket
    import subprocess
    import sys
    from pathlib import Path

    import yaml

    cfg = base_config(tiny_model, dataset_dir, tmp_path, epochs=2, target_modules=["q_proj", "v_proj"])
    config = tmp_path / "ddp.yaml"
    config.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]), "CUDA_VISIBLE_DEVICES": ""}
    accelerate = Path(sys.executable).parent / "accelerate"
    result = subprocess.run(
        [str(accelerate), "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
         "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_ip", "127.0.0.1",
         "--main_process_port", str(port), "-m", "liuhen_models", "train", "--config", str(config)],
        env=env, capture_output=True, text=True, timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    runs = list((tmp_path / "adapters").iterdir())
    assert len(runs) == 1, runs
    summary = json.loads((runs[0] / SUMMARY_FILE).read_text())
    assert summary["device"] == "cpu x2"
    assert summary["global_steps"] == 2 * 3  # 19 examples over 2 processes x batch 4 = 3 steps per epoch
    assert result.stdout.count("adapter saved to") == 1


def _assess(initial, val, train_last, **kw):
    from liuhen_models.train import assess

    args = dict(stopped_early=False, n_train=120, learning_rate=2e-4, lora_rank=8, target_modules=("q_proj", "v_proj"),
                epochs=15, epochs_completed=15)
    args.update(kw)
    return assess(initial, [(i, v) for i, v in enumerate(val)], [(len(val), train_last)], **args)


def test_assessment_barely_moved_names_the_knobs_of_this_run():
    # The run: r 8, q/v only, lr 2e-4, 15 epochs, the loss barely moved and early stopping never fired.
    a = _assess(2.10, [2.09, 2.07, 2.06, 2.05], 2.0, n_train=57)
    assert a["val_improved"] is False and a["overfit"] is False
    assert "barely moved (2.1000 -> best 2.0500, 2.4%)" in a["verdict"]
    text = " ".join(a["next"])
    for hint in ("raise learning_rate (now 0.0002; try 0.001)", "target_modules: all-linear", "lora_rank (now 8; try 16)",
                 "early stopping never fired", "57 training examples"):
        assert hint in text


def test_assessment_sees_overfitting_and_points_at_the_best_evaluation():
    a = _assess(2.0, [1.5, 1.2, 1.3, 1.45], 0.4, stopped_early=True, n_train=200)
    assert a["val_improved"] is True and a["overfit"] is True and a["best_evaluation"] == 2
    assert "it overfit" in a["verdict"]
    assert any("fewer epochs (best was at evaluation 2)" in n for n in a["next"])
    assert any("init_adapter" in n for n in a["next"])


def test_assessment_of_a_healthy_run_that_was_still_improving():
    a = _assess(2.0, [1.6, 1.3, 1.1], 1.0, n_train=300)
    assert (a["val_improved"], a["overfit"]) == (True, False)
    assert a["next"][0].startswith("it was still improving at the last evaluation")
