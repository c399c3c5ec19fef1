"""Merge one or more LoRA adapters into the base model with PEFT ``merge_and_unload`` and verify it.

Combining several adapters — which methods are exact:

* **Exact** (what this command does): load every adapter into one ``PeftModel`` under its own name, scale
  adapter *i* by its weight ``w_i`` (PEFT ``LoraLayer.set_scale``), activate all of them and call
  ``merge_and_unload(adapter_names=[...])``. Each target weight becomes ``W + sum_i w_i * (alpha_i/r_i) *
  B_i @ A_i``, which is exactly what the unmerged model computes with all adapters active. Merging them
  one after another (merge adapter 1, load adapter 2 on the merged model, merge again) gives the same
  weights, because a LoRA delta does not depend on ``W``.
* ``add_weighted_adapter(..., combination_type="cat")`` is also exact (it concatenates the A and B
  matrices, rank r_1 + r_2 + ...).
* ``combination_type="linear"`` is **not** exact: it averages the A's and the B's separately, so the
  product has cross terms ``B_i @ A_j``; ``svd`` truncates, ``ties``/``dare*``/``magnitude_prune`` prune.

Verification: the logits of the merged model on a probe conversation must equal those of the base model
with the adapters active (``|merged - reference| <= atol + rtol * |reference|`` element-wise, computed in
float32 by default), else :class:`VerificationError` and nothing is saved. The saved copy is re-loaded and
checked again when it is stored in the compute dtype.
"""

from __future__ import annotations

import datetime as _dt
import gc
import json
import os
import shutil
from pathlib import Path
from typing import Any, Sequence

from . import ConfigError, VerificationError, __version__

MERGE_INFO_FILE = "merge_info.json"
PROBE_CONVERSATION = [
    {"role": "system", "content": "你是留痕 HR 写作助手。Write the company's structured record."},
    {"role": "user", "content": "离职面谈记录：员工表示希望有更多职业发展机会，对团队氛围满意。"},
]
DTYPES = ("auto", "float32", "bfloat16", "float16")


def _torch_dtype(name: str):
    import torch

    return {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[name]


def _base_saved_dtype(base: str) -> str:
    """The dtype the base checkpoint is stored in (Qwen2.5: bfloat16), from its config."""
    from transformers import AutoConfig

    try:
        cfg = AutoConfig.from_pretrained(base)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"--base: cannot load {base!r} ({str(exc).splitlines()[0]})") from None
    value = getattr(cfg, "dtype", None) or getattr(cfg, "torch_dtype", None)
    name = str(value).replace("torch.", "") if value is not None else "float32"
    return name if name in ("float32", "bfloat16", "float16") else "float32"


def probe_input_ids(tokenizer: Any):
    if getattr(tokenizer, "chat_template", None):
        text = tokenizer.apply_chat_template(PROBE_CONVERSATION, tokenize=False, add_generation_prompt=True)
    else:
        text = " ".join(m["content"] for m in PROBE_CONVERSATION)
    ids = tokenizer(text, add_special_tokens=False, return_tensors="pt")["input_ids"]
    return ids[:, :256]


def _check_adapter_dir(path: Path) -> dict[str, Any]:
    cfg_file = path / "adapter_config.json"
    if not cfg_file.is_file():
        raise ConfigError(f"--adapter: {str(path)!r} has no adapter_config.json (expected a PEFT adapter folder)")
    cfg = json.loads(cfg_file.read_text(encoding="utf-8"))
    if cfg.get("peft_type") != "LORA":
        raise ConfigError(f"--adapter: {path} is a {cfg.get('peft_type')!r} adapter; only LORA can be merged")
    if cfg.get("task_type") not in (None, "CAUSAL_LM"):
        raise ConfigError(f"--adapter: {path} has task_type {cfg.get('task_type')!r}, expected CAUSAL_LM")
    return cfg


def _adapter_summary(path: Path) -> dict[str, Any]:
    f = path / "training_summary.json"
    return json.loads(f.read_text(encoding="utf-8")) if f.is_file() else {}


def _check_out(out: Path, force: bool, bases: list[Path], adapters: list[Path]) -> None:
    """--out must be new, empty, or (with --force) an earlier merge output — never anything else."""
    for p in [*bases, *adapters, Path.home().resolve(), Path.cwd().resolve()]:
        if out == p or out in p.parents:
            raise ConfigError(f"--out: {out} is (or contains) {p}; choose a new folder for the merged model")
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out: {out} is a file; choose a folder")
    if out.exists() and any(out.iterdir()):
        if not force:
            raise ConfigError(f"--out: {out} exists and is not empty (use --force to replace an earlier merge there)")
        if not (out / MERGE_INFO_FILE).is_file():
            raise ConfigError(
                f"--out: {out} is not a merged model written by this command (no {MERGE_INFO_FILE}); --force only "
                "replaces an earlier merge, it never deletes other folders — choose a new or empty folder"
            )


def _check_base(base: str, model: Any, adapters: list[Path], cfgs: list[dict[str, Any]], summaries: list[dict[str, Any]],
                allow_other: bool) -> None:
    """Refuse a base model other than the one each adapter was trained on."""
    from .train import base_fingerprint

    fingerprint = base_fingerprint(model)
    for path, cfg, summary in zip(adapters, cfgs, summaries):
        recorded = summary.get("base_fingerprint")
        trained_on = summary.get("base_model") or cfg.get("base_model_name_or_path")
        if recorded:
            if recorded == fingerprint:
                continue
            why = f"its base weights (fingerprint {recorded}) differ from --base ({fingerprint})"
        else:
            # An adapter without a training summary: compare names, the last path component of each.
            name = lambda s: str(s).rstrip("/").split("/")[-1].lower()  # noqa: E731
            if not trained_on or name(trained_on) == name(base):
                continue
            why = "the base names differ"
        if allow_other:
            print(f"warning: {path} was trained on {trained_on!r}, merging onto {base!r} as asked (--allow-other-base)")
            continue
        raise ConfigError(
            f"--base: adapter {path} was trained on {trained_on!r}, not {base!r} ({why}); merging it onto another "
            "base gives a broken model. Use that base (or --allow-other-base if you are sure it is the same model)"
        )


def _compare(name: str, got, ref, atol: float, rtol: float) -> float:
    import torch

    diff = (got.float() - ref.float()).abs()
    max_diff = float(diff.max())
    if not torch.allclose(got.float(), ref.float(), atol=atol, rtol=rtol):
        raise VerificationError(
            f"{name}: merged logits differ from base+adapter logits (max |diff| {max_diff:.3g} > "
            f"atol {atol:g} + rtol {rtol:g}*|ref|); the merged model was NOT accepted"
        )
    return max_diff


def merge(
    base: str,
    adapters: Sequence[str | Path],
    out: str | Path,
    weights: Sequence[float] | None = None,
    *,
    atol: float = 1e-4,
    rtol: float = 1e-3,
    compute_dtype: str = "float32",
    save_dtype: str = "auto",
    force: bool = False,
    allow_other_base: bool = False,
) -> dict[str, Any]:
    """Merge ``adapters`` (scaled by ``weights``) into ``base`` and save to ``out``; return the merge info."""
    import torch
    from peft import PeftModel
    from peft.tuners.lora import LoraLayer
    from transformers import AutoModelForCausalLM, AutoTokenizer

    adapter_dirs = [Path(a).resolve() for a in adapters]
    if not adapter_dirs:
        raise ConfigError("--adapter: give at least one adapter folder")
    weights = list(weights) if weights else [1.0] * len(adapter_dirs)
    if len(weights) != len(adapter_dirs):
        raise ConfigError(f"--weights: {len(weights)} weights for {len(adapter_dirs)} adapters")
    adapter_cfgs = [_check_adapter_dir(a) for a in adapter_dirs]
    if compute_dtype not in DTYPES[1:]:
        raise ConfigError(f"--compute-dtype: must be one of {', '.join(DTYPES[1:])}, got {compute_dtype!r}")
    if save_dtype not in DTYPES:
        raise ConfigError(f"--dtype: must be one of {', '.join(DTYPES)}, got {save_dtype!r}")
    out = Path(out).resolve()
    _check_out(out, force, [Path(base).resolve()] if Path(base).is_dir() else [], adapter_dirs)
    summaries = [_adapter_summary(a) for a in adapter_dirs]
    profiles = {json.dumps(s.get("liuhen_prompt"), sort_keys=True) for s in summaries}
    if len(profiles) > 1:
        raise ConfigError("--adapter: the adapters were trained with different prompt profiles "
                          f"({', '.join(sorted(profiles))}); a merged model can be run with only one")
    if save_dtype == "auto":
        save_dtype = _base_saved_dtype(base)

    try:
        tokenizer = AutoTokenizer.from_pretrained(base)
        model = AutoModelForCausalLM.from_pretrained(base, dtype=_torch_dtype(compute_dtype))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"--base: cannot load {base!r} ({str(exc).splitlines()[0]})") from None
    model.eval()
    _check_base(base, model, adapter_dirs, adapter_cfgs, summaries, allow_other_base)
    ids = probe_input_ids(tokenizer)
    with torch.no_grad():
        base_logits = model(input_ids=ids).logits

    names = [f"adapter{i}" for i in range(len(adapter_dirs))]
    peft_model = PeftModel.from_pretrained(model, str(adapter_dirs[0]), adapter_name=names[0])
    for name, path in zip(names[1:], adapter_dirs[1:]):
        peft_model.load_adapter(str(path), adapter_name=name)
    for module in peft_model.modules():
        if isinstance(module, LoraLayer):
            for name, w in zip(names, weights):
                module.set_scale(name, w)  # scaling = w * alpha / r
    peft_model.base_model.set_adapter(names)  # all adapters active: output = W x + sum_i s_i B_i A_i x
    peft_model.eval()
    with torch.no_grad():
        reference = peft_model(input_ids=ids).logits
    adapter_effect = float((reference.float() - base_logits.float()).abs().max())

    merged = peft_model.merge_and_unload(adapter_names=names, safe_merge=True)
    merged.eval()
    with torch.no_grad():
        merged_logits = merged(input_ids=ids).logits
    max_diff = _compare("in-memory check", merged_logits, reference, atol, rtol)

    merged.config.use_cache = True
    merged = merged.to(_torch_dtype(save_dtype))
    # Written beside --out first and moved into place only once everything is checked: a failed merge never
    # leaves a half-written model, and never removes the previous one.
    final, out = out, out.parent / f".{out.name}.merging-{os.getpid()}"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    try:
        merged.save_pretrained(str(out), safe_serialization=True)
        tokenizer.save_pretrained(str(out))  # tokenizer.json, tokenizer_config.json and the chat template
        if not list(out.glob("*.safetensors")):
            raise VerificationError(f"--out: no .safetensors file was written to {out}")

        reload_diff = None
        if save_dtype == compute_dtype:
            del merged, peft_model, model
            gc.collect()
            reloaded = AutoModelForCausalLM.from_pretrained(str(out), dtype=_torch_dtype(compute_dtype))
            reloaded.eval()
            with torch.no_grad():
                reload_diff = _compare("saved-model check", reloaded(input_ids=ids).logits, reference, atol, rtol)
            re_tok = AutoTokenizer.from_pretrained(str(out))
            if re_tok.chat_template != tokenizer.chat_template:
                raise VerificationError("saved-model check: the saved tokenizer lost the chat template")

        info = {
            "created_at": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "base_model": str(Path(base).resolve()) if Path(base).is_dir() else base,
            "adapters": [
                {"path": str(p), "weight": w, "r": c.get("r"), "lora_alpha": c.get("lora_alpha"), "target_modules": c.get("target_modules")}
                for p, w, c in zip(adapter_dirs, weights, adapter_cfgs)
            ],
            "method": "PEFT merge_and_unload of all adapters at once (W + sum_i w_i*alpha_i/r_i*B_i@A_i, exact)",
            "compute_dtype": compute_dtype,
            "saved_dtype": save_dtype,
            "probe_tokens": int(ids.shape[1]),
            "max_abs_logit_diff": max_diff,
            "saved_model_max_abs_logit_diff": reload_diff,
            "adapter_effect_max_abs_logit": adapter_effect,
            "atol": atol,
            "rtol": rtol,
            "liuhen_models_version": __version__,
            # The prompt profile the adapters were trained with: generate and convert (model-records.json) carry it.
            "liuhen_prompt": summaries[0].get("liuhen_prompt"),
            "base_fingerprint": summaries[0].get("base_fingerprint"),
        }
        (out / MERGE_INFO_FILE).write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        if final.exists():
            shutil.rmtree(final)  # checked by _check_out: an earlier merge output, replaced with --force
        out.rename(final)
        out = final
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    print(
        f"merged {len(adapter_dirs)} adapter(s) into {out} ({save_dtype}); logits match base+adapter "
        f"(max |diff| {max_diff:.2e}; the adapters move logits by up to {adapter_effect:.3g})"
    )
    return info
