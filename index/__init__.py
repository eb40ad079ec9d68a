"""Index: the stored index (build, manifest, layout, vectors, BM25, load) at this folder's root,
with rooms for text processing (`text/`), running the models (`encoders/`), retrieval
(`retrieval/`) and answering (`answering/`)."""
