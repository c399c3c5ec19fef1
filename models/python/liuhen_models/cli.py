"""``python -m liuhen_models {train,merge,convert,register}`` — also ``accelerate launch -m liuhen_models train ...``."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from . import LiuhenError, __version__


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
    m.add_argument("--force", action="store_true", help="replace a non-empty --out folder")

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

    r = sub.add_parser("register", help="add converted models (model-records.json) to the registry file the task pane loads")
    r.add_argument("--records", required=True, help="model-records.json written by `convert`")
    r.add_argument("--registry", required=True, help="the registry file Liuhen is pointed at (created when missing)")
    r.add_argument("--replace", action="store_true", help="update entries whose model_id is already registered")
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

            merge(args.base, args.adapter, args.out, args.weights, atol=args.atol, rtol=args.rtol,
                  compute_dtype=args.compute_dtype, save_dtype=args.dtype, force=args.force)
        elif args.command == "convert":
            from .convert import convert

            convert(args.merged, args.out, args.model_id, args.weights_url, args.quantization,
                    model_lib_base=args.model_lib_base, context_window=args.context_window, base=args.base,
                    dry_run=args.dry_run)
        elif args.command == "register":
            from .register import register

            register(args.records, args.registry, replace=args.replace)
    except LiuhenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0
