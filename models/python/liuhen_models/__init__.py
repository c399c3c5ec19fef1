"""Liuhen (留痕) model tooling: LoRA fine-tuning, adapter merging and WebLLM conversion.

Entry point: ``python -m liuhen_models {train,merge,convert} ...`` (see ``README.md`` beside this package).
Heavy libraries (torch, transformers, peft) are imported lazily inside the commands, so that
``--help`` and configuration errors answer quickly.
"""

__version__ = "0.1.0"


class LiuhenError(Exception):
    """Base class for errors that the CLI reports as one line instead of a traceback."""

    exit_code = 1


class ConfigError(LiuhenError):
    """A configuration key or command-line argument is missing or invalid.

    The message is one line and starts with the name of the offending key (e.g. ``lora_dropout: ...``).
    """

    exit_code = 2


class DataError(LiuhenError):
    """The training data is unusable (not chat-format JSONL, bad line, too few examples)."""

    exit_code = 2


class VerificationError(LiuhenError):
    """A merge or conversion check failed: the output must not be used."""

    exit_code = 1
