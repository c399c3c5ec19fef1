"""Chat-format training data: reading, splitting and tokenising with assistant-only labels.

The JSONL is produced by Liuhen's TypeScript dataset builder (``npm run dataset``), which renders every
prompt with the same template code and system prompt as inference. This module never builds prompts:
it only applies the tokenizer's own chat template to the messages it is given, so the token sequence the
model is trained on is the one it will see in WebLLM (whose ``qwen2`` conversation template renders the
same ``<|im_start|>role\\n...<|im_end|>\\n`` layout).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from . import DataError
from .config import DATASET_HINT

IGNORE_INDEX = -100
ROLES = ("system", "user", "assistant")

Messages = list[dict[str, str]]


# Personal data that must never be in training text (the model would learn to write it). The dataset builder
# redacts sources and refuses records with any of these (shared/guard); a hand-written or hand-edited JSONL gets
# the same core checks here: mainland mobile numbers, resident ID numbers (with their check digit), e-mail
# addresses, bank card numbers (Luhn). Kept deliberately narrow so that a clean file never trips it.
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)")
_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_CARD = re.compile(r"(?<!\d)\d(?:[ -]?\d){15,18}(?!\d)")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id_ok(s: str) -> bool:
    total = sum(int(c) * w for c, w in zip(s[:17], _ID_WEIGHTS))
    return "10X98765432"[total % 11] == s[17].upper()


def _luhn(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def personal_data(text: str) -> list[str]:
    """Kinds of personal data found in ``text`` (never the values)."""
    found = []
    if _MOBILE.search(text):
        found.append("phone number")
    if any(_id_ok(m.group(0)) for m in _ID.finditer(text)):
        found.append("ID number")
    if _EMAIL.search(text):
        found.append("e-mail address")
    if any(_luhn(re.sub(r"\D", "", m.group(0))) and not _ID.fullmatch(m.group(0)) for m in _CARD.finditer(text)):
        found.append("bank card number")
    return found


def read_chat_jsonl(path: Path) -> list[Messages]:
    """Read ``{"messages": [...]}`` lines; raise :class:`DataError` naming the file and line otherwise."""
    examples: list[Messages] = []
    with open(path, encoding="utf-8-sig") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                raise DataError(f"{where}: not a JSON object; {DATASET_HINT}") from None
            messages = record.get("messages") if isinstance(record, dict) else None
            if not isinstance(messages, list) or not messages:
                raise DataError(f'{where}: expected {{"messages": [...]}} with system/user/assistant turns')
            for i, m in enumerate(messages):
                if not isinstance(m, dict) or m.get("role") not in ROLES or not isinstance(m.get("content"), str):
                    raise DataError(f"{where}: messages[{i}] must be {{role: system|user|assistant, content: string}}")
            if messages[-1]["role"] != "assistant" or not messages[-1]["content"].strip():
                raise DataError(f"{where}: the last message must be a non-empty assistant answer")
            if not any(m["role"] == "user" for m in messages):
                raise DataError(f"{where}: no user message")
            for i, m in enumerate(messages):
                kinds = personal_data(m["content"])
                if kinds:
                    raise DataError(
                        f"{where}: messages[{i}] ({m['role']}) contains personal data ({', '.join(kinds)}); remove it — "
                        "the model would learn to write it. `npm run dataset` redacts sources and checks records for you"
                    )
            examples.append([{"role": m["role"], "content": m["content"]} for m in messages])
    if not examples:
        raise DataError(f"{path}: no examples")
    return examples


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def split_train_val(examples: Sequence[Messages], fraction: float, seed: int) -> tuple[list[Messages], list[Messages]]:
    """Seeded hold-out split: the same data and seed always give the same split."""
    if len(examples) < 2:
        raise DataError(f"need at least 2 examples to hold out a validation split, got {len(examples)}")
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    n_val = min(len(examples) - 1, max(1, round(len(examples) * fraction)))
    val = [examples[i] for i in sorted(order[:n_val])]
    train = [examples[i] for i in sorted(order[n_val:])]
    return train, val


def _ids(tokenizer: Any, messages: Messages, add_generation_prompt: bool) -> list[int]:
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=add_generation_prompt)
    # The template already writes the special tokens (<|im_start|> ...); add none of our own.
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])


@dataclass
class Encoded:
    input_ids: list[int]
    labels: list[int]
    prompt_length: int  # tokens before the last assistant answer (all masked)

    def as_features(self) -> dict[str, list[int]]:
        return {"input_ids": self.input_ids, "attention_mask": [1] * len(self.input_ids), "labels": self.labels}


def encode_chat(tokenizer: Any, messages: Messages) -> Encoded:
    """Tokenise a conversation with the tokenizer's chat template; labels are -100 except on assistant turns.

    For each assistant turn, the prompt is the conversation before it rendered with
    ``add_generation_prompt=True`` (exactly what inference feeds the model); the labelled span is what the
    template adds after that prompt: the answer, its ``<|im_end|>`` stop token and the template's newline.
    A template whose rendering of a prefix is not a prefix of the full rendering (e.g. one that rewrites
    earlier turns) is refused, because masking would then not match what inference sees.
    """
    if not getattr(tokenizer, "chat_template", None):
        raise DataError("base_model: the tokenizer has no chat template; use an instruct/chat model")
    full = _ids(tokenizer, messages, add_generation_prompt=False)
    labels = [IGNORE_INDEX] * len(full)
    prompt_length = 0
    for i, m in enumerate(messages):
        if m["role"] != "assistant":
            continue
        prompt = _ids(tokenizer, messages[:i], add_generation_prompt=True)
        upto = _ids(tokenizer, messages[: i + 1], add_generation_prompt=False)
        if full[: len(upto)] != upto or upto[: len(prompt)] != prompt or len(upto) <= len(prompt):
            raise DataError(
                "the chat template does not render the prompt as a prefix of the conversation; "
                "cannot mask the prompt exactly (train/inference prompt mismatch risk)"
            )
        labels[len(prompt) : len(upto)] = full[len(prompt) : len(upto)]
        prompt_length = len(prompt)
    return Encoded(input_ids=full, labels=labels, prompt_length=prompt_length)


class ChatDataset:
    """A list of tokenised examples (``input_ids``, ``attention_mask``, ``labels``) for the Trainer."""

    def __init__(self, features: list[dict[str, list[int]]]) -> None:
        self.features = features

    def __len__(self) -> int:
        return len(self.features)

    def __getitem__(self, index: int) -> dict[str, list[int]]:
        return self.features[index]


def encode_all(tokenizer: Any, examples: Sequence[Messages], max_seq_length: int) -> tuple[ChatDataset, int]:
    """Encode examples; drop (and count) those longer than ``max_seq_length`` rather than cut the answer."""
    features = []
    skipped = 0
    for messages in examples:
        enc = encode_chat(tokenizer, messages)
        if len(enc.input_ids) > max_seq_length:
            skipped += 1
            continue
        features.append(enc.as_features())
    return ChatDataset(features), skipped


def prompt_token_stats(tokenizer_path: str, data: str | Path) -> dict[str, Any]:
    """Prompt tokens (system + user through the chat template, with the assistant header) of a dataset file: what
    the model prefills on every request with that prompt profile. ``system``: the system message's own tokens."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tokenizer_path)
    if not getattr(tok, "chat_template", None):
        # A bare tokenizer (e.g. an MLC folder, whose chat layout lives in mlc-chat-config.json): Qwen's layout,
        # the same <|im_start|>role ... <|im_end|> lines as WebLLM's qwen2 conversation template.
        from .tiny import QWEN_CHAT_TEMPLATE

        tok.chat_template = QWEN_CHAT_TEMPLATE
    examples = read_chat_jsonl(Path(data))
    counts = [len(_ids(tok, [m for m in ex if m["role"] != "assistant"], add_generation_prompt=True)) for ex in examples]
    system = len(tok(examples[0][0]["content"], add_special_tokens=False)["input_ids"]) if examples[0][0]["role"] == "system" else 0
    return {"examples": len(counts), "system": system, "mean": sum(counts) / len(counts), "min": min(counts),
            "max": max(counts), "total": sum(counts)}
