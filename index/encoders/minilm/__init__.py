"""all-MiniLM-L6-v2 (or any sentence-transformers model): on PyTorch, exported to ONNX, on
onnxruntime."""
