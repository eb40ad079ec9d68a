"""Export a sentence-transformers model to ONNX (build time only: this module imports PyTorch).

The exported graph takes token ids and returns pooled, L2-normalised sentence vectors, so the
serving side needs only onnxruntime and the model's own tokenizer.json (via `tokenizers`).
"""

from __future__ import annotations

import json
import logging
import shutil
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from casebook.errors import ModelError
from casebook.index.encoders.minilm.onnx_encoder import (
    CONFIG_FILE,
    MODEL_FILE,
    TOKENIZER_FILE,
    WEIGHTS_FILE,
    OnnxEmbedder,
)
from casebook.index.encoders.minilm.torch_encoder import Embedder

log = logging.getLogger("casebook.index")

INPUTS = ["input_ids", "attention_mask", "token_type_ids"]
POOLING_MODES = ("mean", "cls")
# Texts the export is checked on: short and long, so padding and truncation are both exercised.
PROBES = [
    "mosque",
    "social prescribing for older people who feel lonely in Newham",
    "A link worker met the patient at the surgery and referred them to a walking group, a "
    "debt advice service and a community garden; six months later they visit their GP less. " * 12,
]
MIN_PROBE_COSINE = 0.9999
# int8 rounds every activation entering a matrix product: vectors move (cosine ~0.99 on the
# evaluation questions), a broken quantisation moves them far more
MIN_INT8_PROBE_COSINE = 0.97
# Hugging Face model types whose traced graph onnxruntime's BERT fusions (Attention,
# SkipLayerNormalization, EmbedLayerNormalization, BiasGelu) are known to fit; others
# (RoBERTa, MPNet...) may too, but are left unfused until someone checks them.
FUSABLE = ("bert",)
CANNOT_EXPORT = ("Set CASEBOOK_EMBED_RUNTIME=torch to embed this model with sentence-transformers "
                 "(PyTorch in the serving process).")


def _pooling_mode(model: Any) -> str:
    """The pooling the model's Pooling module applies; only mean and CLS are exported."""
    modules = list(model)
    names = [type(m).__name__ for m in modules]
    if names[:2] != ["Transformer", "Pooling"] or any(n not in ("Normalize",) for n in names[2:]):
        raise ModelError(f"Cannot export a model made of {names} to ONNX.", hint=CANNOT_EXPORT)
    config = modules[1].get_config_dict()
    mode = str(config.get("pooling_mode", "mean"))
    if mode not in POOLING_MODES:
        raise ModelError(f"Cannot export pooling mode {mode!r} to ONNX.", hint=CANNOT_EXPORT)
    return mode


def _wrapper(transformer: Any, mode: str) -> Any:
    import torch

    class Pooled(torch.nn.Module):  # type: ignore[misc]  # torch is Any: mypy skips it (pyproject)
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                    token_type_ids: torch.Tensor) -> torch.Tensor:
            tokens = self.transformer(input_ids=input_ids, attention_mask=attention_mask,
                                      token_type_ids=token_type_ids)[0]
            if mode == "cls":
                pooled = tokens[:, 0]
            else:
                mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
                pooled = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    return Pooled().eval()


def export_onnx(source: Embedder, directory: Path, *, precision: str = "fp32") -> Path:
    """Write model.onnx, tokenizer.json and encoder.json for `source` into `directory`; with
    precision int8, the checked fp32 graph is then quantised.

    Raises ModelError (with the torch fallback as the next step) when the model's shape is not
    one this exporter knows, or when the exported graph does not reproduce its vectors.
    """
    import torch

    model = source.model
    mode = _pooling_mode(model)
    # sentence-transformers' Transformer module (_pooling_mode checked); its import path moved
    # between releases, and torch types a module's attributes as Tensor | Module
    transformer: Any = model[0]
    backend = getattr(model.tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise ModelError(f"Model {source.model_name!r} has no fast tokenizer (tokenizer.json).",
                         hint=CANNOT_EXPORT)
    directory.mkdir(parents=True, exist_ok=True)
    backend.save(str(directory / TOKENIZER_FILE))
    hf_model = transformer.auto_model
    if hasattr(hf_model, "set_attn_implementation"):
        # eager attention traces to plain ops that keep the padding mask in the graph
        hf_model.set_attn_implementation("eager")
    # one padded row in the example batch, so the traced graph applies the mask
    ids = torch.ones((2, 8), dtype=torch.long)
    mask = ids.clone()
    mask[1, 5:] = 0
    axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS} | {"embedding": {0: "batch"}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about Python bools; checked below
        torch.onnx.export(_wrapper(hf_model, mode), (ids, mask, torch.zeros_like(ids)),
                          str(directory / MODEL_FILE), input_names=INPUTS,
                          output_names=["embedding"], dynamic_axes=axes, opset_version=17,
                          dynamo=False)
    _fuse(directory / MODEL_FILE, hf_model.config)
    optimise(directory / MODEL_FILE)
    config = {"dimension": int(source.dimension), "max_seq_length": int(transformer.max_seq_length),
              "pooling": mode, "source_model": source.model_name, "precision": "fp32"}
    (directory / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    _check(source, directory)
    if precision == "int8":
        quantise_int8(directory)
        _check(source, directory, MIN_INT8_PROBE_COSINE)
    log.info("exported %s to %s", source.model_name, directory / MODEL_FILE)
    return directory / MODEL_FILE


def _fuse(path: Path, config: Any) -> None:
    """Fuse each layer's attention, layer norms and GELU into onnxruntime's BERT kernels.

    Graph optimisation alone (`optimise`) cannot: the fusions match the traced graph, not one
    it already rewrote. Same vectors (the probes check), about 5% less CPU a query. A model
    the fusions do not fit keeps the plain graph.
    """
    if getattr(config, "model_type", None) not in FUSABLE:
        return
    fused_path = path.with_suffix(".fused.onnx")
    # the optimiser logs shape-inference notes at warning level; they do not matter here
    quiet = logging.getLogger("onnxruntime.transformers")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        from onnxruntime.transformers.optimizer import optimize_model

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fused = optimize_model(str(path), model_type="bert",
                                   num_heads=int(config.num_attention_heads),
                                   hidden_size=int(config.hidden_size), opt_level=0, use_gpu=False)
            counts = fused.get_fused_operator_statistics()
            fused.save_model_to_file(str(fused_path))
    except Exception as exc:  # noqa: BLE001 - a fusion that fails leaves a correct, slower graph
        log.warning("could not fuse the ONNX graph of %s (%s); keeping it unfused", path, exc)
        fused_path.unlink(missing_ok=True)
        return
    finally:
        quiet.setLevel(level)
    fused_path.replace(path)
    log.info("fused %s", {op: n for op, n in counts.items() if n})


def optimise(path: Path) -> None:
    """Save onnxruntime's graph optimisations into the file, so serving skips them at start-up.

    Extended (not "all") optimisations only: those are portable across CPUs. The weights go to
    WEIGHTS_FILE beside the graph (ONNX external data), which serving reads whole and hands to
    onnxruntime (sessions.cpu_session) rather than let it memory-map the file.
    """
    from casebook.index.encoders.sessions import import_onnxruntime

    onnxruntime = import_onnxruntime()
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    optimised = path.with_suffix(".optimised.onnx")
    options.optimized_model_filepath = str(optimised)
    options.add_session_config_entry("session.optimized_model_external_initializers_file_name",
                                     WEIGHTS_FILE)
    options.add_session_config_entry(
        "session.optimized_model_external_initializers_min_size_in_bytes", "1024")
    onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    optimised.replace(path)


def quantise_int8(directory: Path) -> None:
    """Replace the encoder's graph in `directory` by its int8 quantisation, optimised, and say
    so in its encoder.json (the embedder then runs each text alone: see OnnxEmbedder).

    Per-channel weights: one scale per output column keeps the vectors at cosine ~0.99 to
    fp32 where one scale per matrix (onnxruntime's default) falls to ~0.96. Activations are
    quantised as they arrive (dynamic), so no calibration set is needed.

    Weights in 7 bits (reduce_range): a CPU without VNNI multiplies uint8 activations by int8
    weights in pairs summed into 16 bits, which saturate at full range, so the same build gave
    other vectors there (cosine ~0.99 to a VNNI CPU's) and other answers near any floor. In 7
    bits no pair saturates: CPUs with and without VNNI compute the same vectors (bit for bit
    on a VNNI CPU and on `qemu-x86_64 -cpu Haswell`).
    """
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    path = directory / MODEL_FILE
    quantised = path.with_suffix(".int8.onnx")
    # it advises a shape-inference pre-pass on the root logger; the fused graph needs none
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        # the fused BERT ops are in onnxruntime's own domain, which ONNX shape inference
        # cannot type: their outputs are float
        quantize_dynamic(str(path), str(quantised), weight_type=QuantType.QInt8,
                         per_channel=True, reduce_range=True,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    finally:
        root.setLevel(level)
    (path.parent / WEIGHTS_FILE).unlink(missing_ok=True)
    quantised.replace(path)
    # folds each DynamicQuantizeLinear into the MatMulInteger after it: ~10% less a query
    optimise(path)
    config = json.loads((directory / CONFIG_FILE).read_text(encoding="utf-8"))
    config["precision"] = "int8"
    (directory / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def _check(source: Embedder, directory: Path, minimum: float = MIN_PROBE_COSINE) -> None:
    exported = OnnxEmbedder(directory, query_cache_size=0).load()
    cosines = np.sum(exported.encode(PROBES) * source.encode(PROBES), axis=1)
    if float(cosines.min()) < minimum:
        shutil.rmtree(directory, ignore_errors=True)
        raise ModelError(f"The ONNX export of {source.model_name!r} drifts from the model "
                         f"(cosine {cosines.min():.5f}).", hint=CANNOT_EXPORT)
