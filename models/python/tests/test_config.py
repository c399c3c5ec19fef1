from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import base_config, chat, write_jsonl
from liuhen_models import ConfigError
from liuhen_models.cli import main
from liuhen_models.config import TrainConfig, validate_config

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture()
def setup(tmp_path):
    model = tmp_path / "base"
    model.mkdir()
    data = tmp_path / "data"
    write_jsonl(data / "train.jsonl", [chat("问", "答")] * 4)
    return model, data, tmp_path


def _error(raw: dict) -> str:
    with pytest.raises(ConfigError) as info:
        validate_config(raw, source="test.yaml")
    message = str(info.value)
    assert "\n" not in message
    return message


def test_valid_config_resolves_paths_and_defaults(setup):
    model, data, tmp = setup
    cfg = validate_config(base_config(model, data, tmp, learning_rate="2e-4", validation_split=None))
    assert isinstance(cfg, TrainConfig)
    assert cfg.metadata_path == (data / "train.jsonl").resolve()
    assert cfg.learning_rate == pytest.approx(2e-4)  # PyYAML reads `2e-4` as a string
    assert cfg.effective_validation_split == 0.1
    assert cfg.target_modules[0] == "q_proj"


def test_unknown_key_is_named_with_suggestion(setup):
    raw = base_config(*setup)
    raw["lora_rnak"] = raw.pop("lora_rank")
    message = _error(raw)
    assert message.startswith("lora_rnak: unknown key")
    assert "did you mean lora_rank" in message


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("lora_dropout", 1.5),
        ("lora_dropout", -0.1),
        ("lora_rank", 0),
        ("lora_rank", "8"),
        ("lora_rank", 8.5),
        ("lora_alpha", 0),
        ("batch_size", True),
        ("learning_rate", "fast"),
        ("epochs", 0),
        ("validation_split", 0.9),
        ("warmup_ratio", 1.0),
        ("max_grad_norm", -1),
        ("early_stopping_patience", -1),
        ("target_modules", []),
        ("task_type", "SEQ_CLS"),
        ("base_model", "./no/such/model"),
        ("train_data_dir", "/no/such/folder"),
    ],
)
def test_invalid_values_name_the_key(setup, key, value):
    message = _error(base_config(*setup, **{key: value}))
    assert message.startswith(f"{key}:"), message


def test_missing_metadata_file_names_metadata_path(setup):
    message = _error(base_config(*setup, metadata_path="missing.jsonl"))
    assert message.startswith("metadata_path:")
    assert "missing.jsonl" in message


def test_csv_metadata_is_rejected_with_the_dataset_step(setup):
    model, data, tmp = setup
    (data / "records.csv").write_text("input,output\n面谈,记录\n", encoding="utf-8")
    message = _error(base_config(model, data, tmp, metadata_path="records.csv"))
    assert message.startswith("metadata_path:")
    assert "npm run dataset" in message


def test_required_keys_and_both_validation_sources(setup):
    model, data, tmp = setup
    raw = base_config(model, data, tmp, validation_path="train.jsonl")
    assert "validation_split" in _error(raw)
    raw = base_config(model, data, tmp)
    del raw["output_dir"]
    assert _error(raw).startswith("output_dir: is required")


def test_cli_exits_2_and_names_the_key(setup, tmp_path, capsys):
    cfg = base_config(*setup, lora_dropout=1.5)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    assert main(["train", "--config", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: lora_dropout:") and "\n" not in err
    assert main(["train", "--config", str(tmp_path / "nope.yaml")]) == 2


def test_example_config_uses_valid_keys_and_values(setup):
    model, data, tmp = setup
    path = REPO / "models" / "configs" / "exit-interview-lora.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert raw["base_model"] == "Qwen/Qwen2.5-1.5B-Instruct"
    assert (raw["lora_rank"], raw["lora_alpha"], raw["lora_dropout"]) == (8, 16, 0.05)
    assert raw["target_modules"] == ["q_proj", "v_proj"]
    # Only the paths differ on this machine (no dataset, no hub download): validate the rest as written.
    raw.update(train_data_dir=str(data), metadata_path="train.jsonl", output_dir=str(tmp / "out"))
    raw.pop("validation_path", None)
    cfg = validate_config(raw, source=str(path))
    assert cfg.learning_rate == pytest.approx(2e-4)
    assert cfg.early_stopping_patience > 0


def test_yaml_keys_reach_the_trainer(setup, tmp_path):
    """Warm-up, clipping, evaluation cadence, early stopping and TensorBoard come from the YAML, not defaults."""
    from liuhen_models.train import build_callbacks, build_training_arguments, lora_config

    cfg = validate_config(base_config(*setup, warmup_ratio=0.1, max_grad_norm=0.5, save_steps=7,
                                      early_stopping_patience=2, lora_dropout=0.05, target_modules=["q_proj", "v_proj"]))
    args = build_training_arguments(cfg, tmp_path / "ckpt", steps_per_epoch=10, precision="fp32")
    assert args.get_warmup_steps(200) == 20
    assert args.max_grad_norm == 0.5
    assert (args.eval_strategy, args.save_strategy, args.eval_steps, args.save_steps) == ("steps", "steps", 7, 7)
    assert args.load_best_model_at_end and args.metric_for_best_model == "eval_loss" and args.greater_is_better is False
    assert "tensorboard" in args.report_to
    assert args.learning_rate == cfg.learning_rate and args.per_device_train_batch_size == cfg.batch_size
    [stopper] = build_callbacks(cfg)
    assert stopper.early_stopping_patience == 2
    lora = lora_config(cfg)
    assert (lora.r, lora.lora_alpha, lora.lora_dropout, sorted(lora.target_modules)) == (8, 16, 0.05, ["q_proj", "v_proj"])
    by_epoch = build_training_arguments(validate_config(base_config(*setup)), tmp_path / "c2", 10, "fp32")
    assert by_epoch.eval_strategy == "epoch" and by_epoch.save_strategy == "epoch"
