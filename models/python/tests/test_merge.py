from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from conftest import base_config
from liuhen_models import VerificationError
from liuhen_models.cli import main
from liuhen_models.config import validate_config
from liuhen_models.merge import merge, probe_input_ids
from liuhen_models.train import train

TARGET = "model.layers.1.self_attn.q_proj"


@pytest.fixture(scope="module")
def adapters(tiny_model, tmp_path_factory):
    """Adapter A: trained by `train`; adapter B: random non-zero LoRA with another rank/alpha/targets."""
    from conftest import RECORDS, chat, write_jsonl

    tmp = tmp_path_factory.mktemp("adapters")
    data = tmp / "data"
    write_jsonl(data / "train.jsonl", [chat(u, a) for u, a in RECORDS] * 3)
    cfg = validate_config(base_config(tiny_model, data, tmp, epochs=2, early_stopping_patience=0))
    a = train(cfg)

    b = _random_adapter(tiny_model, tmp / "adapter-b", r=4, alpha=8, seed=5, targets=["q_proj", "v_proj", "down_proj"])
    return a, b


def _random_adapter(base: Path, folder: Path, r: int, alpha: int, seed: int, targets=("q_proj", "v_proj")) -> Path:
    """A LoRA adapter with random non-zero A and B (init_lora_weights=False), saved in PEFT format."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    model = get_peft_model(
        AutoModelForCausalLM.from_pretrained(str(base)),
        LoraConfig(task_type="CAUSAL_LM", r=r, lora_alpha=alpha, target_modules=list(targets), init_lora_weights=False),
    )
    model.save_pretrained(str(folder))
    return folder


def _weights(folder: Path) -> dict[str, torch.Tensor]:
    out = {}
    for f in sorted(folder.glob("*.safetensors")):
        out.update(load_file(str(f)))
    return out


def _lora_delta(adapter: Path, module: str) -> torch.Tensor:
    cfg = json.loads((adapter / "adapter_config.json").read_text())
    tensors = load_file(str(adapter / "adapter_model.safetensors"))
    a = tensors[f"base_model.model.{module}.lora_A.weight"]
    b = tensors[f"base_model.model.{module}.lora_B.weight"]
    return (cfg["lora_alpha"] / cfg["r"]) * (b @ a)


def test_merged_weight_is_w_plus_scaled_ba_and_logits_match(tiny_model, adapters, tmp_path):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    a, _ = adapters
    out = tmp_path / "merged"
    info = merge(str(tiny_model), [a], out)

    base_w = _weights(tiny_model)[f"{TARGET}.weight"]
    merged_w = _weights(out)[f"{TARGET}.weight"]
    delta = _lora_delta(a, TARGET)
    assert delta.abs().max() > 1e-4  # training moved the adapter away from B = 0
    torch.testing.assert_close(merged_w, base_w + delta, atol=1e-6, rtol=1e-5)

    tokenizer = AutoTokenizer.from_pretrained(str(out))
    ids = probe_input_ids(tokenizer)
    with torch.no_grad():
        merged_logits = AutoModelForCausalLM.from_pretrained(str(out))(input_ids=ids).logits
        ref = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(str(tiny_model)), str(a))(input_ids=ids).logits
    assert torch.allclose(merged_logits, ref, atol=1e-4)
    assert info["max_abs_logit_diff"] <= 1e-4 and info["adapter_effect_max_abs_logit"] > 1e-3

    assert tokenizer.chat_template == AutoTokenizer.from_pretrained(str(tiny_model)).chat_template
    assert "<|im_start|>" in tokenizer.chat_template
    assert list(out.glob("*.safetensors")) and (out / "config.json").is_file()
    assert json.loads((out / "merge_info.json").read_text())["adapters"][0]["path"] == str(a)


def test_two_adapters_equal_sequential_merging(tiny_model, adapters, tmp_path):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    a, b = adapters
    out = tmp_path / "merged-ab"
    assert main(["merge", "--base", str(tiny_model), "--adapter", str(a), "--adapter", str(b), "--out", str(out)]) == 0

    sequential = AutoModelForCausalLM.from_pretrained(str(tiny_model))
    sequential = PeftModel.from_pretrained(sequential, str(a)).merge_and_unload()
    sequential = PeftModel.from_pretrained(sequential, str(b)).merge_and_unload()
    expected = sequential.state_dict()
    merged = _weights(out)
    for name in (f"{TARGET}.weight", "model.layers.0.mlp.down_proj.weight", "model.layers.0.self_attn.k_proj.weight"):
        torch.testing.assert_close(merged[name], expected[name], atol=1e-6, rtol=1e-5)


def test_weighted_merge_is_exact_and_matches_cat_not_linear(tiny_model, adapters, tmp_path):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    a, b = adapters
    out = tmp_path / "merged-weighted"
    merge(str(tiny_model), [a, b], out, weights=[1.0, 0.5])
    base_w = _weights(tiny_model)[f"{TARGET}.weight"]
    expected = base_w + 1.0 * _lora_delta(a, TARGET) + 0.5 * _lora_delta(b, TARGET)
    torch.testing.assert_close(_weights(out)[f"{TARGET}.weight"], expected, atol=1e-6, rtol=1e-5)

    def combined(kind: str, second: Path, weights=(1.0, 0.5)) -> torch.Tensor:
        model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(str(tiny_model)), str(a), adapter_name="a")
        model.load_adapter(str(second), adapter_name="b")
        model.add_weighted_adapter(["a", "b"], list(weights), adapter_name="ab", combination_type=kind)
        model.set_adapter("ab")
        return model.merge_and_unload(adapter_names=["ab"]).state_dict()[f"{TARGET}.weight"]

    torch.testing.assert_close(combined("cat", b), expected, atol=1e-6, rtol=1e-5)  # exact

    # 'linear' sums the A's and the B's separately (same rank required): cross terms B_a A_c make it inexact.
    with pytest.raises(ValueError, match="same r value"):
        combined("linear", b)
    c = _random_adapter(tiny_model, tmp_path / "adapter-c", r=8, alpha=16, seed=9)
    exact_ac = base_w + _lora_delta(a, TARGET) + 0.5 * _lora_delta(c, TARGET)
    assert not torch.allclose(combined("linear", c), exact_ac, atol=1e-4)
    torch.testing.assert_close(combined("cat", c), exact_ac, atol=1e-6, rtol=1e-5)


def test_a_wrong_merge_fails_loudly_and_saves_nothing(tiny_model, adapters, tmp_path, monkeypatch):
    from peft import LoraModel

    original = LoraModel.merge_and_unload  # PeftModel delegates merge_and_unload to its LoraModel

    def corrupted(self, *args, **kwargs):
        model = original(self, *args, **kwargs)
        with torch.no_grad():
            model.get_submodule(TARGET).weight.add_(0.05)
        return model

    monkeypatch.setattr(LoraModel, "merge_and_unload", corrupted)
    out = tmp_path / "bad"
    with pytest.raises(VerificationError, match="differ from base\\+adapter logits"):
        merge(str(tiny_model), [adapters[0]], out)
    assert not out.exists() or not list(out.glob("*.safetensors"))
