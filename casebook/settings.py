"""The one settings object: every knob, read from CASEBOOK_* environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SOURCE_URL = (
    "https://healthylondon.org/our-work/personalised_care/social-prescribing-case-studies"
)
DEFAULT_MODEL = "all-MiniLM-L6-v2"

FusionMethod = Literal["rrf", "weighted", "convex"]
DenseIndexType = Literal["flat", "hnsw"]


class Settings(BaseSettings):
    """Casebook configuration. Each field is `CASEBOOK_<NAME>` in the environment."""

    model_config = SettingsConfigDict(env_prefix="CASEBOOK_", extra="ignore")

    # data locations
    corpus_dir: Path = Field(Path("corpus"), description="Snapshot and case_studies.jsonl live here.")
    index_dir: Path = Field(Path("var/index"), description="Index builds and the CURRENT pointer.")

    # model and index
    model: str = Field(
        DEFAULT_MODEL,
        description="Sentence-transformers model: the bundled all-MiniLM-L6-v2, or a local path / name.",
    )
    allow_model_download: bool = Field(
        False, description="Let sentence-transformers reach a model hub (off: offline only)."
    )
    embed_batch_size: int = Field(32, ge=1, le=1024, description="Passages embedded per batch.")
    dense_index: DenseIndexType = Field(
        "flat", description="FAISS index type: flat (exact inner product) or hnsw (approximate)."
    )
    chunk_max_words: int = Field(90, ge=20, le=400, description="Upper bound on words per passage.")
    chunk_overlap_sentences: int = Field(
        0, ge=0, le=5, description="Sentences repeated between neighbouring passages."
    )

    # retrieval
    fusion: FusionMethod = Field(
        "convex", description="How the views are combined: convex (tuned weights over BM25, MiniLM "
        "and e5, calibrated scores), rrf or weighted (MiniLM and BM25 only).")
    rrf_k: int = Field(60, ge=1, le=1000, description="Reciprocal rank fusion constant.")
    dense_weight: float = Field(
        0.5, ge=0.0, le=1.0, description="Weight of dense scores in weighted fusion."
    )
    candidate_depth: int = Field(
        200, ge=10, le=10000, description="Passages fetched from each retriever before fusion."
    )
    # Calibrated with `casebook eval` on eval/questions.jsonl (midpoint of the widest gap
    # between in-scope and out-of-scope best-passage cosines); re-run it after changing the
    # model, chunking or corpus.
    answer_threshold: float = Field(
        0.29,
        ge=-1.0,
        le=1.0,
        description="Best passage cosine under which /v1/ask says it found no case study "
        "(calibrated by `casebook eval`).",
    )
    answer_sentences: int = Field(3, ge=1, le=10, description="Sentences in an extractive answer.")

    # input limits
    max_query_chars: int = Field(2000, ge=10, le=100000, description="Longest accepted query.")
    max_k: int = Field(50, ge=1, le=1000, description="Largest k a caller may ask for.")

    # service
    host: str = Field("127.0.0.1", description="Address `casebook serve` binds.")
    port: int = Field(8000, ge=0, le=65535, description="Port `casebook serve` binds.")
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins allowed to call the API from a browser (JSON list, or comma-separated).",
    )

    rate_limit_per_minute: int = Field(
        60, ge=0, le=100000, description="Requests per minute one client may make to /v1 (0: no limit)."
    )
    max_request_bytes: int = Field(
        32_768, ge=1024, le=10_000_000, description="Largest request body accepted."
    )
    chat_max_messages: int = Field(
        20, ge=1, le=200, description="Most messages of a conversation /v1/chat reads."
    )

    # crawl
    source_url: str = Field(DEFAULT_SOURCE_URL, description="Page `casebook ingest --live` starts from.")
    user_agent: str = Field(
        "CasebookBot/0.1 (social prescribing case study search)",
        description="User agent the crawler sends.",
    )
    crawl_delay_s: float = Field(1.0, ge=0.0, le=60.0, description="Pause between requests to one host.")
    crawl_timeout_s: float = Field(20.0, gt=0.0, le=300.0, description="Timeout of one request.")
    crawl_retries: int = Field(3, ge=0, le=10, description="Retries of a failed request, with backoff.")
    crawl_max_pages: int = Field(200, ge=1, le=10000, description="Most documents one crawl fetches.")
    crawl_max_bytes: int = Field(
        50_000_000, ge=1000, description="Most bytes one crawl downloads in total."
    )
    crawl_max_file_bytes: int = Field(
        20_000_000, ge=1000, description="Largest single document the crawler keeps."
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip().startswith("["):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.candidate_depth < self.max_k:
            raise ValueError(
                f"candidate_depth ({self.candidate_depth}) must be at least max_k ({self.max_k})"
            )
        return self

    @property
    def snapshot_dir(self) -> Path:
        return self.corpus_dir / "snapshot"

    @property
    def case_studies_path(self) -> Path:
        return self.corpus_dir / "case_studies.jsonl"
