"""Casebook: search and question answering over London's social prescribing case studies."""

import os

__version__ = "0.1.0"

# Offline by default: onnxruntime otherwise keeps a telemetry event store under ~/.cache and
# uploads it. It reads the switch once, when first imported, so it is set before any import.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
