"""``generate``: a model's own records for held-out cases, locally with transformers, constrained like the pane.

For each case of the validation split (``val.jsonl`` from ``npm run dataset``, or labelled eval cases), the
prompt is built by the pipeline's own TypeScript code (``buildMessages``: redact → withhold → render with the
model's prompt profile) and decoding is constrained by the template's grammar in the **xgrammar build WebLLM
runs in the task pane** (the wasm inside ``@mlc-ai/web-llm``), over this model's vocabulary — both served by
``models/eval/decode-server.ts``, a Node helper this module starts. So the text written here is what the
merged model would write for a writer, before it is converted and published; ``npm run eval -- --outputs``
scores it and ``--compare`` puts several models side by side.

Why not the ``xgrammar`` Python package: this project's package index does not serve it; the web build is
also the exact engine (and version) the pane uses. Greedy decoding (the pane's first run is deterministic).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from . import ConfigError, DataError, LiuhenError

PROMPT_KEY = "liuhen_prompt"


def repo_root() -> Path:
    """The repository root (models/python/liuhen_models/ is three levels down); LIUHEN_REPO overrides."""
    env = os.environ.get("LIUHEN_REPO")
    root = Path(env) if env else Path(__file__).resolve().parents[3]
    if not (root / "models" / "eval" / "decode-server.ts").is_file():
        raise ConfigError(f"cannot find models/eval/decode-server.ts under {root}; run from a Liuhen checkout or set LIUHEN_REPO")
    return root


class DecodeServer:
    """The Node helper (prompts + the pane's grammar engine), one JSON line per request."""

    def __init__(self, root: Path) -> None:
        node = shutil.which("node")
        tsx = root / "node_modules" / "tsx"
        if node is None or not tsx.is_dir():
            raise ConfigError("generate needs Node 20 and the repository's npm packages (run `npm ci` in the repository)")
        self.proc = subprocess.Popen(
            [node, "--import", "tsx", str(root / "models" / "eval" / "decode-server.ts")],
            cwd=str(root), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, encoding="utf-8",
        )

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise LiuhenError("the decoding helper (models/eval/decode-server.ts) stopped; run it by hand to see why")
        answer = json.loads(line)
        if "error" in answer:
            raise ConfigError(answer["error"])
        return answer

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def vocab_type(tokenizer: Any) -> str:
    """How xgrammar must decode the raw token strings (web-llm's ``token_postproc_method``)."""
    try:
        decoder = json.loads(tokenizer.backend_tokenizer.to_str()).get("decoder") or {}
    except (AttributeError, ValueError):
        return "raw"
    kinds = {decoder.get("type")} | {d.get("type") for d in decoder.get("decoders", []) if isinstance(d, dict)}
    if "ByteLevel" in kinds:
        return "byte_level"
    if "ByteFallback" in kinds:
        return "byte_fallback"
    return "raw"


def read_cases(path: Path) -> list[dict[str, Any]]:
    """Cases as ``npm run eval`` reads them: dataset chat lines (``meta.source``) or labelled cases."""
    cases = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            r = json.loads(line)
        except json.JSONDecodeError:
            raise DataError(f"{where}: not JSON") from None
        if isinstance(r.get("messages"), list):
            meta = r.get("meta") or {}
            if not isinstance(meta.get("source"), str):
                raise DataError(f'{where}: a chat line needs "meta.source" (written by npm run dataset)')
            cases.append({"id": f"row-{meta['row']}" if isinstance(meta.get("row"), int) else f"line-{lineno}",
                          "kind": meta.get("kind", "transcript"), "source": meta["source"],
                          "reference": r["messages"][-1]["content"]})
        elif isinstance(r.get("source"), str):
            case = {"id": r.get("id") or f"line-{lineno}", "kind": r.get("kind", "transcript"), "source": r["source"]}
            for key in ("reference", "flags", "must_not_contain"):
                if key in r:
                    case[key] = r[key]
            cases.append(case)
        else:
            raise DataError(f'{where}: expected a dataset line ({{"messages", "meta"}}) or a case ({{"id", "source", …}})')
    if not cases:
        raise DataError(f"{path}: no cases")
    return cases


def declared_profile(model_dir: Path) -> dict[str, Any] | None:
    """The prompt profile recorded with a merged model or an adapter (merge_info.json / training_summary.json)."""
    for name in ("merge_info.json", "training_summary.json"):
        f = model_dir / name
        if f.is_file():
            value = json.loads(f.read_text(encoding="utf-8")).get(PROMPT_KEY)
            if value:
                return value
    return None


def data_card_profile(data: Path) -> dict[str, Any] | None:
    card = data.parent / "data-card.json"
    if card.is_file():
        return json.loads(card.read_text(encoding="utf-8")).get("prompt")
    return None


def _allowed(mask_b64: str, size: int):
    import numpy as np
    import torch

    bits = np.unpackbits(np.frombuffer(base64.b64decode(mask_b64), dtype=np.uint8), bitorder="little")[:size]
    return torch.from_numpy(bits.astype(bool))


def generate(model: str, data: str, out: str | None = None, *, template: str | None = None, lang: str | None = None,
             template_file: str | None = None, prompt: str | None = None, fields: bool | None = None,
             label: str | None = None, limit: int | None = None, max_new_tokens: int | None = None) -> Path:
    """Write ``<out>`` (JSONL, one line per case: the case, the prompt sent, the model's text) and return it."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, LogitsProcessor, LogitsProcessorList

    data_path = Path(data)
    if not data_path.is_file():
        raise ConfigError(f"--data: no file {data}")
    if template is None and template_file is None:
        raise ConfigError("--template (e.g. exit-interview) or --template-file is required")
    model_dir = Path(model)
    # The profile: what the model declares (fine-tunes), else the full prompt; --prompt/--fields override.
    # A base model is asked for the same fields as the data has, so base and fine-tune answer the same contract.
    declared = declared_profile(model_dir) if model_dir.is_dir() else None
    card = data_card_profile(data_path) or {}
    profile = {
        "profile": prompt or (declared or {}).get("profile") or "full",
        "fields": fields if fields is not None else (declared or {}).get("fields", card.get("fields", True)),
    }
    cases = read_cases(data_path)[: limit or None]
    name = label or model_dir.name
    out_path = Path(out) if out else data_path.parent / "generations" / f"{name}.jsonl"
    out_path.parent.mkdir(parents=True, exist_ok=True)

    try:
        tokenizer = AutoTokenizer.from_pretrained(model)
        lm = AutoModelForCausalLM.from_pretrained(model, dtype="auto")
    except (OSError, ValueError) as exc:
        raise ConfigError(f"--model: cannot load {model!r} ({str(exc).splitlines()[0]})") from None
    device = "cuda" if torch.cuda.is_available() else "cpu"
    lm.to(device).eval()
    vocab_size = lm.get_output_embeddings().weight.shape[0]
    stop = lm.generation_config.eos_token_id
    stop_ids = sorted({*(stop if isinstance(stop, list) else [stop] if stop is not None else []), tokenizer.eos_token_id} - {None})

    server = DecodeServer(repo_root())
    try:
        init = server.ask({
            "op": "init", "template": template, "lang": lang, "templateFile": str(Path(template_file).resolve()) if template_file else None,
            "profile": profile, "vocab": tokenizer.convert_ids_to_tokens(list(range(len(tokenizer)))),
            "vocabType": vocab_type(tokenizer), "vocabSize": vocab_size, "stop": stop_ids,
        })

        class GrammarMask(LogitsProcessor):
            """Masks every token the pane's grammar would not allow next (batch of one)."""

            def __init__(self, prompt_len: int) -> None:
                self.prompt_len = prompt_len

            def __call__(self, input_ids, scores):
                if input_ids.shape[1] == self.prompt_len:
                    mask = server.ask({"op": "start"})["mask"]
                else:
                    r = server.ask({"op": "accept", "token": int(input_ids[0, -1])})
                    if not r["accepted"]:
                        raise LiuhenError("the grammar refused a token it had allowed (decoding helper out of step)")
                    if r["terminated"]:
                        return scores.masked_fill(torch.ones_like(scores, dtype=torch.bool), float("-inf"))
                    mask = r["mask"]
                allowed = _allowed(mask, scores.shape[-1]).to(scores.device)
                return scores.masked_fill(~allowed.unsqueeze(0), float("-inf"))

        started = time.perf_counter()
        total_new = 0
        with open(out_path, "w", encoding="utf-8") as fh:
            for i, case in enumerate(cases):
                messages = server.ask({"op": "prompt", "kind": case["kind"], "source": case["source"]})["messages"]
                text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
                ids = tokenizer(text, add_special_tokens=False, return_tensors="pt")["input_ids"].to(device)
                budget = max_new_tokens or init["maxTokens"]
                t0 = time.perf_counter()
                with torch.no_grad():
                    seq = lm.generate(
                        ids, attention_mask=torch.ones_like(ids), do_sample=False, max_new_tokens=budget,
                        logits_processor=LogitsProcessorList([GrammarMask(ids.shape[1])]),
                        eos_token_id=stop_ids, pad_token_id=tokenizer.pad_token_id if tokenizer.pad_token_id is not None else stop_ids[0],
                    )
                new = seq[0, ids.shape[1]:].tolist()
                stopped = bool(new) and new[-1] in stop_ids
                output = tokenizer.decode(new, skip_special_tokens=True)
                total_new += len(new)
                line = {**case, "model": name, "profile": profile, "grammar": "xgrammar (web-llm build)",
                        "messages": messages, "output": output, "prompt_tokens": int(ids.shape[1]),
                        "completion_tokens": len(new), "finish_reason": "stop" if stopped else "length",
                        "seconds": round(time.perf_counter() - t0, 3)}
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
                print(f"generate: {i + 1}/{len(cases)} {case['id']}: {len(new)} tokens, {line['finish_reason']}", file=sys.stderr)
        elapsed = time.perf_counter() - started
    finally:
        server.close()
    print(f"generate: {len(cases)} cases with {name} ({profile['profile']} prompt, "
          f"{'with' if profile['fields'] else 'without'} fields, grammar {init['grammarSha256'][:12]}) in {elapsed:.1f} s, "
          f"{total_new / max(elapsed, 1e-9):.1f} tokens/s; wrote {out_path}")
    return out_path
