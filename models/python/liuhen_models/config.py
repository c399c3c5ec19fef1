"""Training configuration: the seed "lora-scripts" YAML vocabulary plus validation/early-stopping keys.

Every problem is a :class:`ConfigError` whose one-line message starts with the offending key, e.g.
``lora_dropout: must be >= 0 and < 1, got 1.5 (models/configs/x.yaml)``. Relative paths are resolved
against the current working directory (run the commands from the repository root).
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import ConfigError

SUPPORTED_TASK_TYPES = ("CAUSAL_LM",)
DATASET_HINT = (
    "training needs the chat-format JSONL rendered by Liuhen's own prompt code; "
    "run `npm run dataset` first (it writes train.jsonl / val.jsonl and a data card) "
    "and point metadata_path at train.jsonl"
)


@dataclass(frozen=True)
class TrainConfig:
    """Validated training configuration. Paths are absolute."""

    # --- seed lora-scripts keys -------------------------------------------------------------
    train_data_dir: Path
    metadata_path: Path
    base_model: str
    output_dir: Path
    task_type: str = "CAUSAL_LM"
    lora_rank: int = 8
    lora_alpha: float = 16
    lora_dropout: float = 0.05
    target_modules: tuple[str, ...] | str = ("q_proj", "v_proj")
    batch_size: int = 4
    epochs: float = 10
    learning_rate: float = 2e-4
    save_steps: int | None = None
    log_dir: Path | None = None
    # --- hold-out validation, early stopping, optimisation ----------------------------------
    validation_split: float | None = None
    validation_path: Path | None = None
    early_stopping_patience: int = 3
    warmup_ratio: float = 0.05
    max_grad_norm: float = 1.0
    seed: int = 42
    max_seq_length: int = 2048
    gradient_accumulation_steps: int = 1
    gradient_checkpointing: bool = False
    # --- incremental training: continue from an existing adapter (new approved records) --------
    init_adapter: Path | None = None
    source: str = field(default="<dict>", compare=False)

    @property
    def effective_validation_split(self) -> float:
        return 0.1 if self.validation_split is None else self.validation_split

    @property
    def effective_log_dir(self) -> Path:
        return self.log_dir if self.log_dir is not None else self.output_dir / "runs"


_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_KEYS = [f.name for f in dataclasses.fields(TrainConfig) if f.name != "source"]
_REQUIRED = ("train_data_dir", "metadata_path", "base_model", "output_dir")


class _Checker:
    """Collects one-line errors, each naming its key."""

    def __init__(self, raw: dict[str, Any], source: str) -> None:
        self.raw = raw
        self.source = source
        self.errors: list[str] = []

    def fail(self, key: str, message: str) -> None:
        self.errors.append(f"{key}: {message}")

    def has(self, key: str) -> bool:
        return key in self.raw and self.raw[key] is not None

    def string(self, key: str) -> str | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(key, f"must be a non-empty string, got {value!r}")
            return None
        return value.strip()

    def integer(self, key: str, minimum: int | None = None) -> int | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"must be an integer, got {value!r}")
            return None
        if minimum is not None and value < minimum:
            self.fail(key, f"must be >= {minimum}, got {value}")
            return None
        return value

    def number(
        self,
        key: str,
        *,
        low: float | None = None,
        low_inclusive: bool = True,
        high: float | None = None,
        high_inclusive: bool = True,
    ) -> float | None:
        value = self.raw.get(key)
        if value is None:
            return None
        # PyYAML (YAML 1.1) reads `2e-4` as a string: accept numeric strings for float keys.
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                self.fail(key, f"must be a number, got {value!r}")
                return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.fail(key, f"must be a finite number, got {value!r}")
            return None
        value = float(value)
        bad_low = low is not None and (value < low if low_inclusive else value <= low)
        bad_high = high is not None and (value > high if high_inclusive else value >= high)
        if bad_low or bad_high:
            lo = "" if low is None else f"{'>=' if low_inclusive else '>'} {low:g}"
            hi = "" if high is None else f"{'<=' if high_inclusive else '<'} {high:g}"
            self.fail(key, f"must be {' and '.join(p for p in (lo, hi) if p)}, got {value:g}")
            return None
        return value

    def boolean(self, key: str) -> bool | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.fail(key, f"must be true or false, got {value!r}")
            return None
        return value


def _resolve(path: str) -> Path:
    return Path(os.path.expanduser(path)).resolve()


def validate_config(raw: Any, source: str = "<dict>") -> TrainConfig:
    """Check a parsed YAML mapping and return a :class:`TrainConfig`; raise :class:`ConfigError` otherwise."""
    if not isinstance(raw, dict):
        raise ConfigError(f"config: expected a mapping of keys to values, got {type(raw).__name__} ({source})")
    c = _Checker(raw, source)

    for key in raw:
        if not isinstance(key, str) or key not in _KEYS:
            close = difflib.get_close_matches(str(key), _KEYS, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            c.fail(str(key), f"unknown key{hint}")
    for key in _REQUIRED:
        if not c.has(key):
            c.fail(key, "is required")

    values: dict[str, Any] = {}

    task_type = c.string("task_type")
    if task_type is not None:
        if task_type not in SUPPORTED_TASK_TYPES:
            c.fail("task_type", f"must be CAUSAL_LM (the only task Liuhen trains), got {task_type!r}")
        else:
            values["task_type"] = task_type

    base_model = c.string("base_model")
    if base_model is not None:
        if _resolve(base_model).is_dir():
            values["base_model"] = str(_resolve(base_model))
        elif _HUB_ID.match(base_model):
            values["base_model"] = base_model  # a hub id: transformers downloads/caches it at load time
        else:
            c.fail("base_model", f"local model folder {base_model!r} does not exist")

    data_dir = c.string("train_data_dir")
    data_dir_path = None
    if data_dir is not None:
        data_dir_path = _resolve(data_dir)
        if not data_dir_path.is_dir():
            c.fail("train_data_dir", f"folder {data_dir!r} does not exist")
            data_dir_path = None
        else:
            values["train_data_dir"] = data_dir_path

    def data_file(key: str) -> Path | None:
        name = c.string(key)
        if name is None:
            return None
        if name.lower().endswith((".csv", ".tsv", ".xlsx", ".xls")):
            c.fail(key, f"{name!r} is a spreadsheet, not chat-format JSONL: {DATASET_HINT}")
            return None
        if data_dir_path is None and not os.path.isabs(name):
            return None  # already reported under train_data_dir
        path = (data_dir_path / name if data_dir_path is not None else Path(name)).resolve()
        if not path.is_file():
            c.fail(key, f"file {str(path)!r} does not exist ({DATASET_HINT})")
            return None
        return path

    metadata = data_file("metadata_path")
    if metadata is not None:
        values["metadata_path"] = metadata
    validation_path = data_file("validation_path")
    if validation_path is not None:
        values["validation_path"] = validation_path

    output_dir = c.string("output_dir")
    if output_dir is not None:
        values["output_dir"] = _resolve(output_dir)
    log_dir = c.string("log_dir")
    if log_dir is not None:
        values["log_dir"] = _resolve(log_dir)

    for key, minimum in (
        ("lora_rank", 1),
        ("batch_size", 1),
        ("save_steps", 1),
        ("early_stopping_patience", 0),
        ("max_seq_length", 16),
        ("gradient_accumulation_steps", 1),
    ):
        v = c.integer(key, minimum)
        if v is not None:
            values[key] = v
    seed = c.integer("seed", 0)
    if seed is not None:
        values["seed"] = seed

    numbers = {
        "lora_alpha": dict(low=0, low_inclusive=False),
        "lora_dropout": dict(low=0, high=1, high_inclusive=False),
        "epochs": dict(low=0, low_inclusive=False),
        "learning_rate": dict(low=0, low_inclusive=False, high=1),
        "validation_split": dict(low=0, low_inclusive=False, high=0.5),
        "warmup_ratio": dict(low=0, high=1, high_inclusive=False),
        "max_grad_norm": dict(low=0, low_inclusive=False),
    }
    for key, bounds in numbers.items():
        v = c.number(key, **bounds)
        if v is not None:
            values[key] = v

    gc = c.boolean("gradient_checkpointing")
    if gc is not None:
        values["gradient_checkpointing"] = gc

    if c.has("target_modules"):
        tm = raw["target_modules"]
        if isinstance(tm, str) and tm.strip() == "all-linear":
            values["target_modules"] = "all-linear"
        elif isinstance(tm, str) and tm.strip():
            values["target_modules"] = tuple(p.strip() for p in tm.split(",") if p.strip())
        elif isinstance(tm, list) and tm and all(isinstance(m, str) and m.strip() for m in tm):
            values["target_modules"] = tuple(m.strip() for m in tm)
        else:
            c.fail("target_modules", f"must be a non-empty list of module names (e.g. [q_proj, v_proj]), got {tm!r}")

    init_adapter = c.string("init_adapter")
    if init_adapter is not None:
        p = _resolve(init_adapter)
        if not (p / "adapter_config.json").is_file():
            c.fail("init_adapter", f"{init_adapter!r} is not an adapter folder (no adapter_config.json); give the run folder train wrote")
        else:
            values["init_adapter"] = p

    if c.has("validation_split") and c.has("validation_path"):
        c.fail("validation_split", "give either validation_split or validation_path, not both")

    if c.errors:
        raise ConfigError("; ".join(c.errors) + f" ({source})")
    return TrainConfig(**values, source=source)


def load_config(path: str | os.PathLike[str]) -> TrainConfig:
    """Read and validate a YAML training config."""
    import yaml

    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"--config: file {str(p)!r} does not exist")
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        first = str(exc).strip().splitlines()
        raise ConfigError(f"--config: {p} is not valid YAML ({' '.join(first)[:200]})") from None
    return validate_config(raw if raw is not None else {}, source=str(p))
