"""The naive peer of issue 8: FastAPI + sentence-transformers on PyTorch + flat FAISS, 30 lines.

What a user writes in an afternoon over the same corpus/case_studies.jsonl; bench/load.py starts
it to compare against. Run: python bench/naive_peer.py PORT [CASE_STUDIES_JSONL]
"""

import json
import sys

import faiss
import uvicorn
from fastapi import FastAPI
from sentence_transformers import SentenceTransformer

from casebook.index.encoders.minilm.torch_encoder import resolve_model

port = int(sys.argv[1])
path = sys.argv[2] if len(sys.argv) > 2 else "corpus/case_studies.jsonl"
with open(path, encoding="utf-8") as lines:
    cases = [json.loads(line) for line in lines if line.strip()]
model = SentenceTransformer(resolve_model("all-MiniLM-L6-v2"), device="cpu")
vectors = model.encode([c["title"] + "\n" + c["text"] for c in cases], normalize_embeddings=True)
index = faiss.IndexFlatIP(vectors.shape[1])
index.add(vectors)
app = FastAPI()


@app.get("/v1/search")
def search(q: str, k: int = 10) -> dict:
    scores, rows = index.search(model.encode([q], normalize_embeddings=True), min(k, len(cases)))
    return {"query": q, "results": [{"case_study": {"id": cases[r]["id"], "title": cases[r]["title"]},
                                     "score": float(s)} for s, r in zip(scores[0], rows[0])]}


uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
