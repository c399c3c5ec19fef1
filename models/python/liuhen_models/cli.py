"""``python -m liuhen_models {train,merge,convert,register}`` — also ``accelerate launch -m liuhen_models train ...``."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from . import ConfigError, LiuhenError, __version__


def _parser() -> argparse.ArgumentParser:
    from .convert import DEFAULT_CONTEXT_WINDOW, DEFAULT_MODEL_LIB_BASE, QUANTIZATIONS

    p = argparse.ArgumentParser(prog="python -m liuhen_models", description="Liuhen LoRA fine-tuning, merging and WebLLM conversion.")
    p.add_argument("--version", action="version", version=f"liuhen_models {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="fine-tune a LoRA adapter from a YAML config (chat JSONL from `npm run dataset`)")
    t.add_argument("--config", required=True, help="YAML file with the lora-scripts keys (see models/configs/)")

    m = sub.add_parser("merge", help="merge LoRA adapter(s) into the base model (PEFT merge_and_unload) and verify logits")
    m.add_argument("--base", required=True, help="base model folder (or hub id)")
    m.add_argument("--adapter", action="append", required=True, help="adapter folder; repeat to merge several")
    m.add_argument("--weights", type=float, nargs="+", help="one weight per adapter (default 1.0 each)")
    m.add_argument("--out", required=True, help="output folder for the merged model (safetensors + tokenizer)")
    m.add_argument("--dtype", default="auto", choices=["auto", "float32", "bfloat16", "float16"],
                   help="dtype of the saved weights (default: the base model's)")
    m.add_argument("--compute-dtype", default="float32", choices=["float32", "bfloat16", "float16"],
                   help="dtype used to merge and verify (float32: exact to ~1e-5, needs 4 bytes/parameter of RAM)")
    m.add_argument("--atol", type=float, default=1e-4, help="absolute logit tolerance (default 1e-4)")
    m.add_argument("--rtol", type=float, default=1e-3, help="relative logit tolerance (default 1e-3)")
    m.add_argument("--force", action="store_true", help="replace an earlier merge in --out (never any other folder)")
    m.add_argument("--allow-other-base", action="store_true", help="merge even if --base is not the adapter's recorded base")

    g = sub.add_parser("generate", help="the model's own records for held-out cases, constrained by the pane's grammar (for npm run eval)")
    g.add_argument("--model", required=True, help="merged model folder (or a base model folder / hub id, for the baseline)")
    g.add_argument("--data", required=True, help="val.jsonl from `npm run dataset` (or labelled eval cases)")
    g.add_argument("--out", help="output JSONL (default: <data folder>/generations/<label>.jsonl)")
    g.add_argument("--label", help="the model's name in reports (default: the model folder's name)")
    g.add_argument("--template", help="built-in template id, e.g. exit-interview")
    g.add_argument("--lang", help="template language, e.g. zh-CN")
    g.add_argument("--template-file", help="a company template JSON")
    g.add_argument("--prompt", choices=["full", "compact"], help="prompt profile (default: the model's own, else full)")
    g.add_argument("--fields", choices=["yes", "no"], help="ask for the structured fields (default: the model's own, else the data card's)")
    g.add_argument("--limit", type=int, help="only the first N cases")
    g.add_argument("--max-new-tokens", type=int, help="default: the template's token budget (as in the pane)")

    c = sub.add_parser("convert", help="check the architecture, run/print the MLC commands, write model-records.json")
    c.add_argument("--merged", required=True, help="merged model folder (from `merge`)")
    c.add_argument("--out", required=True, help="output folder (MLC weights folders + model-records.json)")
    c.add_argument("--model-id", required=True, help="model id prefix, e.g. acme-exit-qwen2.5-1.5b")
    c.add_argument("--weights-url", required=True,
                   help="https://host/path/resolve/<rev>/ under which the <id>-<q>-MLC folders will be served; on "
                        "Hugging Face-style hosts one repo per quantization: https://huggingface.co/org/{folder}/resolve/<rev>/ "
                        "({folder}, {model_id} and {quantization} are filled in)")
    c.add_argument("--quantization", nargs="+", default=list(QUANTIZATIONS), choices=list(QUANTIZATIONS))
    c.add_argument("--model-lib-base", default=DEFAULT_MODEL_LIB_BASE,
                   help="base URL of the prebuilt WebLLM libraries; must match the @mlc-ai/web-llm version (default: %(default)s)")
    c.add_argument("--context-window", type=int, default=DEFAULT_CONTEXT_WINDOW, help="overrides.context_window_size (default %(default)s)")
    c.add_argument("--base", help="base model folder to compare shapes with (default: the one recorded by merge)")
    c.add_argument("--dry-run", action="store_true", help="print the MLC commands even if mlc_llm is installed")

    k = sub.add_parser("tiny-model", help="a tiny random Qwen2 model (tokenizer trained on your records) for a dry run of the guide")
    k.add_argument("--out", required=True, help="output folder (use it as base_model)")
    k.add_argument("--corpus", action="append", default=[], help="record files whose text the tokenizer learns (repeat)")
    k.add_argument("--vocab-size", type=int, default=2000)

    pt = sub.add_parser("prompt-tokens", help="prompt tokens (system + user, chat template) of dataset files with a model's tokenizer")
    pt.add_argument("--tokenizer", required=True, help="a model or tokenizer folder (e.g. the base model)")
    pt.add_argument("--data", required=True, nargs="+", help="train.jsonl / val.jsonl files from npm run dataset")

    r = sub.add_parser("register", help="add converted models (model-records.json), or a company server, to the registry file the task pane loads")
    r.add_argument("--records", help="model-records.json written by `convert` (required unless --server-url)")
    r.add_argument("--registry", required=True, help="the registry file Liuhen is pointed at (created when missing)")
    r.add_argument("--replace", action="store_true", help="update entries whose model_id is already registered")
    # A company inference server (liuhen_models/server.py): the pane then runs the model there, not on the writer's computer.
    r.add_argument("--server-url", help="OpenAI-compatible base URL of the company server, e.g. https://llm.example.com/v1")
    r.add_argument("--server-model", help="the served model name (vLLM --served-model-name, or the path it serves)")
    r.add_argument("--server-kind", default="vllm", help="vllm (default), mlc or llamacpp")
    r.add_argument("--lora-adapter", help="the adapter's name in vLLM's --lora-modules (requests then name it)")
    r.add_argument("--concurrency", type=int, help="batch rows in flight on the server (pane default 8)")
    r.add_argument("--display-name", help="name shown in the model area")
    r.add_argument("--prompt-profile", choices=("full", "compact"), help="prompt profile the served fine-tune was trained with")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "train":
            from .config import load_config
            from .train import train

            train(load_config(args.config))
        elif args.command == "merge":
            from .merge import merge

            from .hub import ensure_model_available

            ensure_model_available(args.base, "--base")
            merge(args.base, args.adapter, args.out, args.weights, atol=args.atol, rtol=args.rtol,
                  compute_dtype=args.compute_dtype, save_dtype=args.dtype, force=args.force,
                  allow_other_base=args.allow_other_base)
        elif args.command == "generate":
            from .generate import generate
            from .hub import ensure_model_available

            ensure_model_available(args.model, "--model")
            generate(args.model, args.data, args.out, template=args.template, lang=args.lang, template_file=args.template_file,
                     prompt=args.prompt, fields=None if args.fields is None else args.fields == "yes", label=args.label,
                     limit=args.limit, max_new_tokens=args.max_new_tokens)
        elif args.command == "convert":
            from .convert import convert

            convert(args.merged, args.out, args.model_id, args.weights_url, args.quantization,
                    model_lib_base=args.model_lib_base, context_window=args.context_window, base=args.base,
                    dry_run=args.dry_run)
        elif args.command == "tiny-model":
            from pathlib import Path

            from .tiny import build_tiny_qwen2, corpus_from

            out = build_tiny_qwen2(Path(args.out), corpus_from(args.corpus), vocab_size=args.vocab_size, max_positions=4096)
            print(f"tiny random Qwen2 model written to {out} (use it as base_model for a dry run; it writes nonsense until trained)")
        elif args.command == "prompt-tokens":
            from .data import prompt_token_stats

            for f in args.data:
                st = prompt_token_stats(args.tokenizer, f)
                print(f"{f}: {st['examples']} prompts, system {st['system']} tokens, prompt mean {st['mean']:.0f} "
                      f"(min {st['min']}, max {st['max']}); {st['total']} prompt tokens in all")
        elif args.command == "register":
            from .register import register

            if args.server_url is None and args.records is None:
                raise ConfigError("register: give --records (converted models), or --server-url and --server-model (a company server)")
            if args.records is not None:
                register(args.records, args.registry, replace=args.replace)
            if args.server_url is not None:
                from .server import register_server, server_entry

                if not args.server_model:
                    raise ConfigError("--server-url needs --server-model (the served model name, as GET /v1/models lists it)")
                register_server(args.registry, server_entry(
                    args.server_url, args.server_model, kind=args.server_kind, lora_adapter=args.lora_adapter,
                    concurrency=args.concurrency, display_name=args.display_name, prompt_profile=args.prompt_profile,
                ))
    except LiuhenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0
