"""A tiny random Qwen2 model with a byte-level BPE tokenizer trained on the spot: a dry run of the whole guide
(dataset → train → merge → generate → eval) on any machine, CPU only, in seconds, with nothing downloaded.

``python -m liuhen_models tiny-model --out models/out/tiny-qwen2 [--corpus records.csv]``. The model writes
nonsense until it is trained; its shapes match no Qwen2.5 size, so ``convert`` refuses it (as it must).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

# Qwen2.5's chat template without the tool-calling branches (same <|im_start|>/<|im_end|> layout).
QWEN_CHAT_TEMPLATE = (
    "{%- if messages[0]['role'] == 'system' %}"
    "{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}"
    "{%- else %}"
    "{{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- for message in messages %}"
    "{%- if (message.role == 'user') or (message.role == 'system' and not loop.first) or (message.role == 'assistant') %}"
    "{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}"
    "{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)

BASE_CORPUS = [
    "离职面谈记录 员工 经理 团队 氛围 薪酬 绩效 晋升 培训 通勤 远程办公 加班 排班 建议 反馈",
    "【离职原因】【在职体验】【意见建议】【结构化信息】 面谈逐字稿 面谈要点 材料开始 材料结束",
    "人才盘点 九宫格 高潜 继任 发展 优势 待发展 信心 来源",
    "exit interview employee manager team promotion path coaching training onboarding relocation family",
    "talent review strengths development succession readiness risk confidence source",
]


def build_tokenizer(folder: Path, corpus: Iterable[str], vocab_size: int = 800):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=1,
        special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(list(corpus) * 3, trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>", additional_special_tokens=["<|im_start|>"]
    )
    fast.chat_template = QWEN_CHAT_TEMPLATE
    fast.save_pretrained(str(folder))
    return fast


def build_tiny_qwen2(folder: Path, corpus: Iterable[str] = BASE_CORPUS, seed: int = 0, vocab_size: int = 800,
                     max_positions: int = 512) -> Path:
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer(folder, corpus, vocab_size)
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=max_positions,
        tie_word_embeddings=True,
        # Larger than the default 0.02 so that the frozen (tied) output layer can express a peaked
        # distribution: a random model with tiny logits cannot be fitted through LoRA alone.
        initializer_range=0.2,
        bos_token_id=tokenizer.convert_tokens_to_ids("<|endoftext|>"),
        eos_token_id=tokenizer.convert_tokens_to_ids("<|im_end|>"),
        pad_token_id=tokenizer.convert_tokens_to_ids("<|endoftext|>"),
    )
    torch.manual_seed(seed)
    Qwen2ForCausalLM(config).save_pretrained(str(folder))
    return folder


def corpus_from(files: Iterable[str | Path]) -> list[str]:
    """Text of record files (CSV/JSONL/anything) for the tokenizer, one chunk per line."""
    out = list(BASE_CORPUS)
    for f in files:
        out += [line for line in Path(f).read_text(encoding="utf-8-sig").splitlines() if line.strip()]
    return out
