"""LoRA fine-tuning with PEFT + the transformers Trainer.

* data: chat JSONL from ``npm run dataset``, tokenised with the base tokenizer's chat template, loss on
  the assistant answer only (see :mod:`liuhen_models.data`);
* model: ``AutoModelForCausalLM`` + PEFT ``LoraConfig`` (r, lora_alpha, lora_dropout, target_modules);
* hold-out validation (seeded split or a given file), evaluation each epoch (or every ``save_steps``),
  ``EarlyStoppingCallback`` on ``eval_loss`` with ``load_best_model_at_end``, linear warm-up, gradient
  clipping, TensorBoard logs under ``log_dir/<run name>``;
* output: ``<output_dir>/<YYYYMMDD>-n<examples>-r<rank>/`` with ``adapter_model.safetensors``,
  ``adapter_config.json``, the tokenizer used, and ``training_summary.json``.

Devices: one GPU if present (bf16 where supported, else fp16 autocast), CPU otherwise. Several GPUs:
``accelerate launch --multi_gpu --num_processes N -m liuhen_models train --config ...`` (or after
``accelerate config``) — the same entry point; the Trainer runs DDP (NCCL, or gloo between CPU processes).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
from pathlib import Path
from typing import Any, Sequence

from . import ConfigError, __version__
from .config import TrainConfig
from .data import encode_all, file_sha256, read_chat_jsonl, split_train_val

SUMMARY_FILE = "training_summary.json"
DATA_CARD = "data-card.json"


def base_fingerprint(model: Any) -> str:
    """A short hash of the base model's first embedding rows (rounded to bf16, so the dtype it was loaded in
    does not matter): ``merge`` and incremental training compare it to refuse another base model."""
    import hashlib

    import torch

    rows = model.get_input_embeddings().weight[:8].detach().to("cpu", torch.bfloat16).to(torch.float32)
    return hashlib.sha256(rows.numpy().tobytes()).hexdigest()[:16]


def read_data_card(cfg: TrainConfig) -> dict[str, Any] | None:
    card = cfg.train_data_dir / DATA_CARD
    return json.loads(card.read_text(encoding="utf-8")) if card.is_file() else None


def assess(initial: float | None, val: Sequence[tuple[int, float]], train_losses: Sequence[tuple[int, float]],
           *, stopped_early: bool, n_train: int, learning_rate: float, lora_rank: int,
           target_modules: Any, epochs: float, epochs_completed: float) -> dict[str, Any]:
    """What this run's own numbers say: did validation loss improve, did it overfit, what to try next."""
    losses = [v for _, v in val]
    if initial is None or not losses:
        return {"val_improved": None, "overfit": None, "verdict": "no validation loss was recorded", "next": []}
    best = min(losses)
    best_at = losses.index(best)
    last = losses[-1]
    gain = (initial - best) / initial if initial > 0 else 0.0
    rose = (last - best) / best if best > 0 else 0.0
    last_train = train_losses[-1][1] if train_losses else None
    improved = gain >= 0.05
    # Overfitting: validation loss climbed back up after its best while training loss kept falling below it.
    overfit = rose >= 0.05 and best_at < len(losses) - 1 and (last_train is None or last_train < best)
    still_falling = best_at == len(losses) - 1 and len(losses) >= 2 and losses[-2] - losses[-1] > 0.01 * losses[-2]
    nxt: list[str] = []
    if not improved:
        verdict = (f"validation loss barely moved ({initial:.4f} -> best {best:.4f}, {gain:.1%}): the adapter learned "
                   "little from this run")
        if learning_rate < 1e-3:
            nxt.append(f"raise learning_rate (now {learning_rate:g}; try {min(learning_rate * 5, 1e-3):g})")
        if target_modules != "all-linear" and len(list(target_modules)) <= 2:
            nxt.append("train more layers: target_modules: all-linear")
        if lora_rank < 16:
            nxt.append(f"raise lora_rank (now {lora_rank}; try 16) and lora_alpha with it")
        if not stopped_early and epochs_completed >= epochs:
            nxt.append("more epochs: early stopping never fired, so the run may have ended too soon")
    elif overfit:
        verdict = (f"validation loss improved {gain:.1%} (best {best:.4f} after evaluation {best_at + 1} of {len(losses)}) and then "
                   f"rose {rose:.1%} while training loss fell to {last_train:.4f}: it overfit; the best adapter (kept) is the one to use")
        nxt.append(f"fewer epochs (best was at evaluation {best_at + 1}) or a lower learning_rate")
        nxt.append("more data: 50–300 examples overfit quickly; add approved records and train again from this adapter (init_adapter)")
        nxt.append("a little more lora_dropout (0.1) or a smaller lora_rank")
    else:
        verdict = f"validation loss improved {gain:.1%} ({initial:.4f} -> {best:.4f}) with no sign of overfitting"
        if still_falling and not stopped_early:
            nxt.append("it was still improving at the last evaluation: more epochs may help")
        nxt.append("judge the model's own records: liuhen_models generate + npm run eval -- --compare base,<this run>")
    if n_train < 100:
        nxt.append(f"only {n_train} training examples: runs this small over- or underfit easily (50–300 is the risky range); "
                   "more approved records help most")
    return {"val_improved": improved, "relative_improvement": round(gain, 4), "overfit": overfit,
            "best_evaluation": best_at + 1, "evaluations": len(losses), "verdict": verdict, "next": nxt}


def run_name(cfg: TrainConfig, n_examples: int, today: _dt.date | None = None) -> str:
    """``20261123-n120-r8``: date, dataset size, LoRA rank."""
    today = today or _dt.date.today()
    return f"{today:%Y%m%d}-n{n_examples}-r{cfg.lora_rank}"


def _unique_dir(parent: Path, name: str) -> Path:
    candidate, k = parent / name, 2
    while candidate.exists():
        candidate, k = parent / f"{name}-{k}", k + 1
    return candidate


def lora_config(cfg: TrainConfig):
    from peft import LoraConfig, TaskType

    target = cfg.target_modules if isinstance(cfg.target_modules, str) else list(cfg.target_modules)
    return LoraConfig(
        task_type=TaskType.CAUSAL_LM,
        r=cfg.lora_rank,
        lora_alpha=cfg.lora_alpha,
        lora_dropout=cfg.lora_dropout,
        target_modules=target,
        bias="none",
    )


def build_callbacks(cfg: TrainConfig) -> list[Any]:
    """Early stopping on validation loss (patience 0 turns it off)."""
    from transformers import EarlyStoppingCallback

    if cfg.early_stopping_patience <= 0:
        return []
    return [EarlyStoppingCallback(early_stopping_patience=cfg.early_stopping_patience)]


def build_training_arguments(cfg: TrainConfig, checkpoint_dir: Path, steps_per_epoch: int, precision: str):
    from transformers import TrainingArguments

    by_steps = cfg.save_steps is not None
    return TrainingArguments(
        output_dir=str(checkpoint_dir),
        per_device_train_batch_size=cfg.batch_size,
        per_device_eval_batch_size=cfg.batch_size,
        gradient_accumulation_steps=cfg.gradient_accumulation_steps,
        num_train_epochs=cfg.epochs,
        learning_rate=cfg.learning_rate,
        lr_scheduler_type="linear",
        warmup_steps=cfg.warmup_ratio,  # a float in [0, 1) is a ratio of the total steps (transformers >= 5)
        max_grad_norm=cfg.max_grad_norm,
        seed=cfg.seed,
        data_seed=cfg.seed,
        eval_strategy="steps" if by_steps else "epoch",
        save_strategy="steps" if by_steps else "epoch",
        eval_steps=cfg.save_steps,
        save_steps=cfg.save_steps if by_steps else 500,
        save_total_limit=2,  # the best checkpoint is always kept in addition
        save_only_model=True,  # adapters only, no optimizer state
        load_best_model_at_end=True,
        metric_for_best_model="eval_loss",
        greater_is_better=False,
        logging_strategy="steps",
        logging_steps=max(1, min(10, steps_per_epoch)),
        logging_first_step=True,
        report_to=["tensorboard"],
        use_cpu=precision == "fp32",  # CPU-only: also lets several processes train together over gloo
        bf16=precision == "bf16",
        fp16=precision == "fp16",
        gradient_checkpointing=cfg.gradient_checkpointing,
        gradient_checkpointing_kwargs={"use_reentrant": False} if cfg.gradient_checkpointing else None,
        remove_unused_columns=False,
        dataloader_pin_memory=precision != "fp32",
        disable_tqdm=not os.isatty(2),
    )


def _precision() -> tuple[str, Any]:
    import torch

    if torch.cuda.is_available():
        if torch.cuda.is_bf16_supported():
            return "bf16", torch.bfloat16
        return "fp16", torch.float32  # fp32 master weights, fp16 autocast
    return "fp32", torch.float32  # "fp32" means CPU below


def load_tokenizer(base_model: str):
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(base_model)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"base_model: cannot load a tokenizer from {base_model!r} ({str(exc).splitlines()[0]})") from None
    if not tokenizer.chat_template:
        raise ConfigError(f"base_model: {base_model!r} has no chat template; use an instruct/chat model")
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def _load_examples(cfg: TrainConfig):
    examples = read_chat_jsonl(cfg.metadata_path)
    if cfg.validation_path is not None:
        return examples, read_chat_jsonl(cfg.validation_path), f"file {cfg.validation_path}"
    train, val = split_train_val(examples, cfg.effective_validation_split, cfg.seed)
    return train, val, f"split {cfg.effective_validation_split:g} (seed {cfg.seed})"


def train(cfg: TrainConfig, extra_callbacks: Sequence[Any] = ()) -> Path:
    """Train a LoRA adapter; return the run folder holding the adapter and ``training_summary.json``.

    ``extra_callbacks`` run before early stopping (tests use this to feed it controlled losses).
    """
    import torch
    from accelerate import PartialState
    from accelerate.utils import broadcast_object_list
    from peft import get_peft_model
    from transformers import AutoModelForCausalLM, DataCollatorForSeq2Seq, Trainer, set_seed

    from . import DataError

    # Created before the Trainer so every process agrees on the run folder; on CPU-only machines
    # `cpu=True` lets several processes (torchrun / accelerate launch) form a gloo group.
    state = PartialState(cpu=not torch.cuda.is_available())
    set_seed(cfg.seed)
    from .hub import ensure_model_available

    ensure_model_available(cfg.base_model, "base_model")
    tokenizer = load_tokenizer(cfg.base_model)
    card = read_data_card(cfg)
    profile = (card or {}).get("prompt")
    if card is None:
        print(f"warning: no {DATA_CARD} beside {cfg.metadata_path.name}: the prompt profile this data was rendered with is "
              "unknown, so the model will be declared with the full prompt; build the data with `npm run dataset`")
    elif card.get("files", {}).get("train", {}).get("sha256") not in (None, file_sha256(cfg.metadata_path)):
        print(f"warning: {cfg.metadata_path.name} differs from the file {DATA_CARD} describes (edited by hand?); "
              "its prompts must stay exactly as the builder rendered them")
    init_summary: dict[str, Any] = {}
    if cfg.init_adapter is not None:
        f = cfg.init_adapter / SUMMARY_FILE
        init_summary = json.loads(f.read_text(encoding="utf-8")) if f.is_file() else {}
        before = init_summary.get("liuhen_prompt")
        if before and profile and before != profile:
            if before.get("fields", True) and not profile.get("fields", True):
                how = ("these records have no structured-fields block (an approved-records export has none) but the adapter "
                       "learned to write it: add the fields line to them, or train a fresh adapter on the old and new records "
                       "with `npm run dataset -- --fields omit`")
            else:
                how = f"rebuild the data with `npm run dataset -- --prompt {before.get('profile')}` (and the same fields)"
            raise ConfigError(f"init_adapter: it was trained with the prompt profile {before}, this data was built with {profile}; {how}")

    train_examples, val_examples, validation_desc = _load_examples(cfg)
    train_ds, skipped_train = encode_all(tokenizer, train_examples, cfg.max_seq_length)
    val_ds, skipped_val = encode_all(tokenizer, val_examples, cfg.max_seq_length)
    if len(train_ds) == 0 or len(val_ds) == 0:
        raise DataError(
            f"max_seq_length: every {'training' if len(train_ds) == 0 else 'validation'} example is longer than "
            f"{cfg.max_seq_length} tokens; raise max_seq_length or shorten the records"
        )

    # One run folder for all processes: the main process picks the name, the others receive it.
    holder = [None]
    if state.is_main_process:
        holder[0] = str(_unique_dir(cfg.output_dir, run_name(cfg, len(train_ds) + len(val_ds))))
    broadcast_object_list(holder)
    run_dir = Path(holder[0])
    log_dir = cfg.effective_log_dir / run_dir.name

    precision, dtype = _precision()
    try:
        model = AutoModelForCausalLM.from_pretrained(cfg.base_model, dtype=dtype)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"base_model: cannot load {cfg.base_model!r} ({str(exc).splitlines()[0]})") from None
    model.config.use_cache = False
    fingerprint = base_fingerprint(model)
    if cfg.init_adapter is not None:
        # Incremental training: continue the existing adapter (its own rank, alpha and modules) on new records.
        from peft import PeftModel

        recorded = init_summary.get("base_fingerprint")
        if recorded and recorded != fingerprint:
            raise ConfigError(
                f"init_adapter: it was trained on another base model ({init_summary.get('base_model')!r}, "
                f"fingerprint {recorded}) than base_model {cfg.base_model!r} ({fingerprint})"
            )
        model = PeftModel.from_pretrained(model, str(cfg.init_adapter), is_trainable=True)
    else:
        try:
            model = get_peft_model(model, lora_config(cfg))
        except ValueError as exc:
            raise ConfigError(f"target_modules: {str(exc).splitlines()[0]}") from None

    world = max(1, state.num_processes)
    steps_per_epoch = max(1, math.ceil(len(train_ds) / (cfg.batch_size * world * cfg.gradient_accumulation_steps)))
    args = build_training_arguments(cfg, run_dir / "checkpoints", steps_per_epoch, precision)

    # transformers' TensorBoardCallback reads its folder from this (documented) variable.
    os.environ["TENSORBOARD_LOGGING_DIR"] = str(log_dir)
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=train_ds,
        eval_dataset=val_ds,
        processing_class=tokenizer,
        data_collator=DataCollatorForSeq2Seq(
            tokenizer, padding=True, label_pad_token_id=-100, pad_to_multiple_of=8 if precision != "fp32" else None
        ),
        callbacks=[*extra_callbacks, *build_callbacks(cfg)],
    )

    initial = trainer.evaluate()
    trainer.train()
    trainer.save_model(str(run_dir))  # best adapter (load_best_model_at_end) + tokenizer, main process only

    if trainer.is_world_process_zero():
        st = trainer.state
        train_losses = [(h["step"], h["loss"]) for h in st.log_history if "loss" in h]
        val_losses = [(h["step"], h["eval_loss"]) for h in st.log_history if "eval_loss" in h]
        assessment = assess(
            initial.get("eval_loss"), val_losses, train_losses, stopped_early=st.global_step < st.max_steps,
            n_train=len(train_ds), learning_rate=cfg.learning_rate, lora_rank=cfg.lora_rank,
            target_modules=cfg.target_modules, epochs=cfg.epochs, epochs_completed=st.epoch or 0.0,
        )
        summary = {
            "run_name": run_dir.name,
            "liuhen_prompt": profile,
            "base_fingerprint": fingerprint,
            "init_adapter": str(cfg.init_adapter) if cfg.init_adapter else None,
            "assessment": assessment,
            "created_at": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "base_model": cfg.base_model,
            "task_type": cfg.task_type,
            "train_size": len(train_ds),
            "val_size": len(val_ds),
            "skipped_too_long": skipped_train + skipped_val,
            "validation": validation_desc,
            "initial_val_loss": initial.get("eval_loss"),
            "best_val_loss": st.best_metric,
            "best_checkpoint": os.path.relpath(st.best_model_checkpoint, run_dir) if st.best_model_checkpoint else None,
            "final_train_loss": train_losses[-1][1] if train_losses else None,
            "global_steps": st.global_step,
            "max_steps": st.max_steps,
            "epochs_completed": st.epoch,
            "stopped_early": st.global_step < st.max_steps,
            "val_loss_history": val_losses,
            "lora": {
                "r": cfg.lora_rank,
                "lora_alpha": cfg.lora_alpha,
                "lora_dropout": cfg.lora_dropout,
                "target_modules": cfg.target_modules if isinstance(cfg.target_modules, str) else list(cfg.target_modules),
            },
            "hyperparameters": {
                "epochs": cfg.epochs,
                "batch_size": cfg.batch_size,
                "gradient_accumulation_steps": cfg.gradient_accumulation_steps,
                "learning_rate": cfg.learning_rate,
                "warmup_ratio": cfg.warmup_ratio,
                "max_grad_norm": cfg.max_grad_norm,
                "early_stopping_patience": cfg.early_stopping_patience,
                "max_seq_length": cfg.max_seq_length,
                "seed": cfg.seed,
            },
            "data": {"metadata_path": str(cfg.metadata_path), "sha256": file_sha256(cfg.metadata_path)},
            "device": f"cuda x{world}" if torch.cuda.is_available() else f"cpu x{world}",
            "precision": precision,
            "log_dir": str(log_dir),
            "config": cfg.source,
            "versions": _versions(),
        }
        (run_dir / SUMMARY_FILE).write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(
            f"adapter saved to {run_dir} (train {len(train_ds)}, val {len(val_ds)}, "
            f"best val loss {st.best_metric:.4f}, {st.global_step} steps"
            f"{', stopped early' if summary['stopped_early'] else ''}); TensorBoard: tensorboard --logdir {cfg.effective_log_dir}"
        )
        print(f"assessment: {assessment['verdict']}")
        for step in assessment["next"]:
            print(f"  next: {step}")
    state.wait_for_everyone()
    return run_dir


def _versions() -> dict[str, str]:
    import peft
    import torch
    import transformers

    return {"liuhen_models": __version__, "torch": torch.__version__, "transformers": transformers.__version__, "peft": peft.__version__}
