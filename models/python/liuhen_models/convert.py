"""Convert a merged Qwen2/Qwen2.5 fine-tune for WebLLM and write its ``model-records.json``.

WebLLM has no runtime LoRA, and compiling a model library (wasm) needs the MLC/TVM/emscripten tool-chain.
A merged fine-tune whose architecture is unchanged (``model_type: qwen2`` and the exact shapes of a
Qwen2.5 size) reuses the prebuilt Qwen2 WebLLM library of that size and quantization, so only the
weights are converted: ``mlc_llm convert_weight`` + ``mlc_llm gen_config --conv-template qwen2``.
Where ``mlc_llm`` is not installed this prints those commands instead of running them.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from . import ConfigError, VerificationError

#: Prebuilt model libraries compatible with @mlc-ai/web-llm 0.2.86 (its ``modelLibURLPrefix + modelVersion``).
#: The wasm version must match the web-llm npm version: update this with package.json's @mlc-ai/web-llm.
WEBLLM_NPM_VERSION = "0.2.86"
DEFAULT_MODEL_LIB_BASE = "https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/v0_2_86/base/"
QUANTIZATIONS = ("q4f16_1", "q4f32_1")
DEFAULT_CONTEXT_WINDOW = 4096
PREFILL_CHUNK_SIZE = 1024  # the prebuilt libraries are compiled for 1k prefill chunks ("_cs1k")
ARCH_KEYS = (
    "hidden_size",
    "intermediate_size",
    "num_hidden_layers",
    "num_attention_heads",
    "num_key_value_heads",
    "vocab_size",
    "tie_word_embeddings",
)


@dataclass(frozen=True)
class QwenSize:
    name: str
    arch: dict[str, Any]
    lib_stem: str  # prebuilt library file name before "-<q>_cs1k-webgpu.wasm"
    vram_required_mb: dict[str, float]  # WebLLM's own labels for the prebuilt records (4k context)
    low_resource_required: bool


# Shapes from the Qwen2.5 *-Instruct config.json files; libraries and VRAM labels from web-llm 0.2.86's
# prebuiltAppConfig (Qwen2.5 0.5B/1.5B/7B reuse the Qwen2 libraries of the same shape; 3B has its own).
QWEN_SIZES: tuple[QwenSize, ...] = (
    QwenSize(
        "0.5B",
        dict(hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14,
             num_key_value_heads=2, vocab_size=151936, tie_word_embeddings=True),
        "Qwen2-0.5B-Instruct",
        {"q4f16_1": 944.62, "q4f32_1": 1060.2},
        True,
    ),
    QwenSize(
        "1.5B",
        dict(hidden_size=1536, intermediate_size=8960, num_hidden_layers=28, num_attention_heads=12,
             num_key_value_heads=2, vocab_size=151936, tie_word_embeddings=True),
        "Qwen2-1.5B-Instruct",
        {"q4f16_1": 1629.75, "q4f32_1": 1888.97},
        True,
    ),
    QwenSize(
        "3B",
        dict(hidden_size=2048, intermediate_size=11008, num_hidden_layers=36, num_attention_heads=16,
             num_key_value_heads=2, vocab_size=151936, tie_word_embeddings=True),
        "Qwen2.5-3B-Instruct",
        {"q4f16_1": 2504.76, "q4f32_1": 2893.64},
        True,
    ),
    QwenSize(
        "7B",
        dict(hidden_size=3584, intermediate_size=18944, num_hidden_layers=28, num_attention_heads=28,
             num_key_value_heads=4, vocab_size=152064, tie_word_embeddings=False),
        "Qwen2-7B-Instruct",
        {"q4f16_1": 5106.67, "q4f32_1": 5900.09},
        False,
    ),
)


def _read_config(folder: Path, flag: str) -> dict[str, Any]:
    path = folder / "config.json"
    if not path.is_file():
        raise ConfigError(f"{flag}: {str(folder)!r} has no config.json (expected a merged Hugging Face model folder)")
    return json.loads(path.read_text(encoding="utf-8"))


def _arch(cfg: dict[str, Any]) -> dict[str, Any]:
    arch = {k: cfg.get(k) for k in ARCH_KEYS}
    if arch["tie_word_embeddings"] is None:
        arch["tie_word_embeddings"] = False  # transformers' default for Qwen2Config
    return arch


def check_architecture(merged: Path, base: Path | None = None) -> QwenSize:
    """Refuse anything that the prebuilt Qwen2 WebLLM library of the same size cannot run."""
    cfg = _read_config(merged, "--merged")
    if cfg.get("model_type") != "qwen2":
        raise VerificationError(
            f"--merged: model_type is {cfg.get('model_type')!r}, not 'qwen2': the prebuilt Qwen2 WebLLM library "
            "cannot run it (a new architecture needs `mlc_llm compile` to build a wasm)"
        )
    archs = cfg.get("architectures") or ["Qwen2ForCausalLM"]
    if archs != ["Qwen2ForCausalLM"]:
        raise VerificationError(f"--merged: architectures is {archs}, expected ['Qwen2ForCausalLM']")
    arch = _arch(cfg)
    if base is not None:
        base_arch = _arch(_read_config(base, "--base"))
        changed = {k: (base_arch[k], arch[k]) for k in ARCH_KEYS if base_arch[k] != arch[k]}
        if changed:
            detail = ", ".join(f"{k} {a} -> {b}" for k, (a, b) in changed.items())
            raise VerificationError(f"--merged: architecture differs from the base model ({detail})")
    for size in QWEN_SIZES:
        if all(arch[k] == v for k, v in size.arch.items()):
            return size
    shape = ", ".join(f"{k}={arch[k]}" for k in ARCH_KEYS)
    raise VerificationError(
        f"--merged: shape ({shape}) matches no Qwen2.5 size with a prebuilt WebLLM library "
        f"({', '.join(s.name for s in QWEN_SIZES)})"
    )


def weights_url_for(template: str, folder: str, model_id: str, quantization: str) -> str:
    """Where WebLLM fetches one quantization's files: ``…/<folder>/resolve/<commit>/`` (the revision last, as the
    add-in requires)."""
    if "{" in template:
        try:
            url = template.format(model_id=model_id, quantization=quantization, folder=folder)
        except (KeyError, IndexError, ValueError):
            raise ConfigError(
                f"--weights-url: only {{folder}}, {{model_id}} and {{quantization}} may appear in braces, got {template!r}"
            ) from None
    else:
        base = template if template.endswith("/") else template + "/"
        m = re.search(r"/resolve/[^/]+/$", base)
        url = base[: m.start()] + "/" + folder + base[m.start():] if m else base + folder
    return url if url.endswith("/") else url + "/"


# Hosts with the Hugging Face layout serve one model per repository: Liuhen's registry (shared/engine/registry)
# accepts only https://<host>/<org>/<repo>/resolve/<rev>/ there, so each quantization needs its own repo.
HF_STYLE_HOSTS = re.compile(r"(^|\.)(huggingface\.co|hf\.co|hf-mirror\.com|modelscope\.cn)$", re.I)


#: MLC's documented nightly wheels (https://llm.mlc.ai/docs/install/mlc_llm.html); converting weights needs no GPU,
#: so the CPU build does on any Linux/macOS machine (on a CUDA machine the -cu12x wheels work too).
MLC_INSTALL_HINT = "python -m pip install --pre -U -f https://mlc.ai/wheels mlc-llm-nightly-cpu mlc-ai-nightly-cpu"


COMMIT = re.compile(r"^[0-9a-f]{7,64}$", re.I)


def check_pinned(url: str, flag: str) -> None:
    """Refuse a URL that would 404 or change under the writers: a placeholder, or a revision that is not a commit
    hash (the add-in's rule, shared/engine/registry/custom.ts: branches and tags can move)."""
    placeholder = re.search(r"<[^<>/]*>|%3C[^/]*%3E", url, re.I)
    if placeholder:
        raise ConfigError(
            f"{flag}: {url!r} still contains the placeholder {placeholder.group(0)!r}; put the real revision there "
            "(the commit hash of the upload)"
        )
    rev = re.search(r"/resolve/([^/]+)/", url if url.endswith("/") else url + "/")
    if rev and "{" not in rev.group(1) and not COMMIT.match(rev.group(1)):
        raise ConfigError(
            f"{flag}: {url!r} is not pinned (resolve/{rev.group(1)}/ is a branch or tag, which can change whenever someone "
            "pushes); use the commit hash of the upload, so every writer gets the same weights"
        )


def _check_weights_url(url: str) -> None:
    check_pinned(url, "--weights-url")
    local = re.match(r"^http://(localhost|127\.0\.0\.1)(:\d+)?/", url)
    if not (url.startswith("https://") or local):
        raise ConfigError(f"--weights-url: must be an https:// URL, got {url!r}")
    if not re.search(r"/resolve/[^/]+/", url if url.endswith("/") else url + "/"):
        raise ConfigError(
            f"--weights-url: must use the '/resolve/<commit>/' layout WebLLM expects "
            f"(e.g. https://models.acme.cn/liuhen/resolve/3f2a9c1/), got {url!r}"
        )
    host = re.match(r"^https?://([^/:]+)", url).group(1)
    if HF_STYLE_HOSTS.search(host) and "{" not in url:
        raise ConfigError(
            f"--weights-url: {host} serves one model per repository; put the folder name in the repository, "
            f"e.g. https://{host}/acme/{{folder}}/resolve/<commit>/ (one repo per quantization), got {url!r}"
        )


def mlc_commands(merged: Path, out_folder: Path, quantization: str, context_window: int) -> list[list[str]]:
    return [
        ["mlc_llm", "convert_weight", str(merged), "--quantization", quantization, "-o", str(out_folder)],
        [
            "mlc_llm", "gen_config", str(merged), "--quantization", quantization, "--conv-template", "qwen2",
            "--context-window-size", str(context_window), "--prefill-chunk-size", str(PREFILL_CHUNK_SIZE),
            "-o", str(out_folder),
        ],
    ]


def model_record(
    size: QwenSize, model_id: str, quantization: str, weights_url: str, model_lib_base: str, context_window: int,
    prompt: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A WebLLM ``ModelRecord`` (field names exactly as in @mlc-ai/web-llm's ``config.ts``)."""
    record: dict[str, Any] = {
        "model": weights_url,
        "model_id": f"{model_id}-{quantization}",
        "model_lib": model_lib_base.rstrip("/") + f"/{size.lib_stem}-{quantization}_cs1k-webgpu.wasm",
    }
    if quantization == "q4f16_1":
        record["required_features"] = ["shader-f16"]
    record["overrides"] = {"context_window_size": context_window}
    record["vram_required_MB"] = size.vram_required_mb[quantization]
    record["low_resource_required"] = size.low_resource_required
    if prompt:
        # Liuhen's own key: the pane prompts the model with the profile it was trained with (see shared/prompt).
        record["liuhen_prompt"] = {"profile": prompt["profile"], "fields": bool(prompt.get("fields", True))}
    return record


def convert(
    merged: str | Path,
    out: str | Path,
    model_id: str,
    weights_url: str,
    quantizations: Sequence[str] = QUANTIZATIONS,
    *,
    model_lib_base: str = DEFAULT_MODEL_LIB_BASE,
    context_window: int = DEFAULT_CONTEXT_WINDOW,
    base: str | Path | None = None,
    dry_run: bool = False,
) -> list[dict[str, Any]]:
    merged, out = Path(merged).resolve(), Path(out).resolve()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", model_id or ""):
        raise ConfigError(f"--model-id: use letters, digits, '.', '_' and '-' only, got {model_id!r}")
    bad = [q for q in quantizations if q not in QUANTIZATIONS]
    if bad or not quantizations:
        raise ConfigError(f"--quantization: choose from {' '.join(QUANTIZATIONS)} (prebuilt Qwen2 libraries), got {bad}")
    if context_window < PREFILL_CHUNK_SIZE:
        raise ConfigError(f"--context-window: must be >= {PREFILL_CHUNK_SIZE}, got {context_window}")
    if not model_lib_base.startswith("https://"):
        raise ConfigError(f"--model-lib-base: must be an https:// URL, got {model_lib_base!r}")
    _check_weights_url(weights_url)
    if base is None:  # merge records its base; compare with it when it is a local folder
        info = merged / "merge_info.json"
        if info.is_file():
            recorded = json.loads(info.read_text(encoding="utf-8")).get("base_model")
            if recorded and (Path(recorded) / "config.json").is_file():
                base = recorded
    size = check_architecture(merged, Path(base) if base is not None else None)
    info_file = merged / "merge_info.json"
    prompt = json.loads(info_file.read_text(encoding="utf-8")).get("liuhen_prompt") if info_file.is_file() else None
    print(f"architecture: Qwen2 {size.name} shape, unchanged -> reusing the prebuilt {size.lib_stem} WebLLM library")

    mlc = shutil.which("mlc_llm")
    records, pending = [], []
    for q in quantizations:
        folder = f"{model_id}-{q}-MLC"
        for cmd in mlc_commands(merged, out / folder, q, context_window):
            pending.append(cmd)
        records.append(
            model_record(size, model_id, q, weights_url_for(weights_url, folder, model_id, q), model_lib_base, context_window, prompt)
        )

    out.mkdir(parents=True, exist_ok=True)
    if mlc and not dry_run:
        for cmd in pending:
            print("+ " + shlex.join(cmd), flush=True)
            subprocess.run([mlc, *cmd[1:]], check=True)
    else:
        why = "--dry-run" if dry_run else f"mlc_llm is not installed (install MLC's nightly wheels: {MLC_INSTALL_HINT})"
        print(f"# {why}; run these commands to convert the weights:")
        for cmd in pending:
            print(shlex.join(cmd))

    from .register import _lib_pinned

    if not _lib_pinned(records[0]["model_lib"], None):
        print(f"# warning: {model_lib_base} does not pin the wasm by its URL: the add-in refuses these records until each has "
              '"integrity": {"model_lib": "sha256-…"} (the SRI hash of the wasm), or use a commit-pinned --model-lib-base')
    records_path = out / "model-records.json"
    records_path.write_text(json.dumps(records, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"# wrote {records_path}; upload each {model_id}-<q>-MLC folder so that its files are served at the 'model' URL")
    sys.stdout.flush()
    return records
