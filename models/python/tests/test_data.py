from __future__ import annotations

import pytest

from conftest import RECORDS, SYSTEM, chat, write_jsonl
from liuhen_models import DataError
from liuhen_models.data import IGNORE_INDEX, encode_chat, read_chat_jsonl, split_train_val


@pytest.fixture(scope="module")
def tokenizer(tiny_model):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(tiny_model))


def _ids(tokenizer, messages, add_generation_prompt):
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=add_generation_prompt)
    return tokenizer(text, add_special_tokens=False)["input_ids"]


def test_labels_mask_exactly_the_prompt(tokenizer):
    user, answer = RECORDS[0]
    messages = chat(user, answer)["messages"]
    enc = encode_chat(tokenizer, messages)
    # The prompt is what inference feeds the model: system + user + "<|im_start|>assistant\n".
    prompt = _ids(tokenizer, messages[:-1], add_generation_prompt=True)
    assert enc.prompt_length == len(prompt)
    assert enc.input_ids[: len(prompt)] == prompt
    masked = [i for i, label in enumerate(enc.labels) if label == IGNORE_INDEX]
    assert masked == list(range(len(prompt)))
    assert enc.labels[len(prompt) :] == enc.input_ids[len(prompt) :]
    assert tokenizer.decode(enc.input_ids[len(prompt) :]) == answer + "<|im_end|>\n"
    assert tokenizer.decode(prompt).endswith("<|im_start|>assistant\n")
    assert SYSTEM in tokenizer.decode(prompt)


def test_every_assistant_turn_is_labelled_in_multi_turn(tokenizer):
    messages = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": "第一段笔记"},
        {"role": "assistant", "content": "【离职原因】通勤。"},
        {"role": "user", "content": "请补充意见建议"},
        {"role": "assistant", "content": "【意见建议】远程办公。"},
    ]
    enc = encode_chat(tokenizer, messages)
    labelled = tokenizer.decode([t for t, label in zip(enc.input_ids, enc.labels) if label != IGNORE_INDEX])
    assert labelled == "【离职原因】通勤。<|im_end|>\n【意见建议】远程办公。<|im_end|>\n"


def test_reader_rejects_csv_and_bad_lines(tmp_path):
    csv = tmp_path / "train.jsonl"
    csv.write_text("input,output\n面谈,记录\n", encoding="utf-8")
    with pytest.raises(DataError, match="npm run dataset"):
        read_chat_jsonl(csv)
    bad = write_jsonl(tmp_path / "bad.jsonl", [chat("a", "b"), {"messages": [{"role": "user", "content": "only a question"}]}])
    with pytest.raises(DataError, match=r"bad\.jsonl:2: the last message must be"):
        read_chat_jsonl(bad)


def test_split_is_seeded_disjoint_and_complete():
    examples = [chat(f"u{i}", f"a{i}")["messages"] for i in range(20)]
    train, val = split_train_val(examples, 0.2, seed=7)
    assert (len(train), len(val)) == (16, 4)
    assert split_train_val(examples, 0.2, seed=7) == (train, val)
    assert split_train_val(examples, 0.2, seed=8)[1] != val
    key = lambda m: m[1]["content"]  # noqa: E731
    assert sorted(map(key, train + val)) == sorted(map(key, examples))
    with pytest.raises(DataError):
        split_train_val(examples[:1], 0.2, seed=7)


def test_reads_the_dataset_builders_jsonl_and_masks_exactly_the_prompt(tokenizer):
    """models/dataset/samples/*.chat.jsonl is what `npm run dataset` writes (messages + a `meta` object)."""
    from pathlib import Path

    sample = Path(__file__).resolve().parents[2] / "dataset" / "samples" / "exit-interview.zh-CN.chat.jsonl"
    examples = read_chat_jsonl(sample)
    assert len(examples) == 12
    for messages in examples:
        assert [m["role"] for m in messages] == ["system", "user", "assistant"]
        enc = encode_chat(tokenizer, messages)
        answer = tokenizer.decode([t for t, label in zip(enc.input_ids, enc.labels) if label != IGNORE_INDEX])
        assert answer == messages[-1]["content"] + "<|im_end|>\n"
        assert tokenizer.decode(enc.input_ids[: enc.prompt_length]).endswith(messages[1]["content"] + "<|im_end|>\n<|im_start|>assistant\n")


@pytest.mark.parametrize(
    ("text", "kind"),
    [("联系电话 13800138000", "phone number"), ("身份证 11010519491231002X", "ID number"),
     ("邮箱 zhang.san@acme.cn", "e-mail address"), ("工资卡 4111 1111 1111 1111", "bank card number")],
)
def test_hand_written_jsonl_with_personal_data_is_refused(tmp_path, text, kind):
    from liuhen_models import DataError
    from liuhen_models.data import read_chat_jsonl

    from conftest import chat, write_jsonl

    f = write_jsonl(tmp_path / "train.jsonl", [chat("员工因薪酬离职。", "【离职原因】员工因薪酬离职。"), chat("T2 员工: 钱少", f"【离职原因】{text}")])
    with pytest.raises(DataError, match=rf"train.jsonl:2: messages\[2\] \(assistant\) contains personal data \({kind}\)"):
        read_chat_jsonl(f)
    # Clean text with long numbers that are none of those (dates, percentages, employee numbers) passes.
    ok = write_jsonl(tmp_path / "ok.jsonl", [chat("2024年12月31日 工号 20241231001,涨薪25%", "【离职原因】员工因薪酬离职。")])
    assert len(read_chat_jsonl(ok)) == 1
