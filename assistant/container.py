"""Builds the services from one ``Settings``: the small container the API, CLI and evals share."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from sqlalchemy import Engine

from assistant.analytics.report import AnalyticsService
from assistant.answering import ExtractiveAnswerer
from assistant.chat import Answerer, ChatService, ExtractiveStreamer
from assistant.chat_handoff import ChatHandoff
from assistant.components.database import make_engine
from assistant.components.llm import build_chat_model
from assistant.guide.llm_interpreter import LlmOptionInterpreter
from assistant.guide.service import GuideService
from assistant.handoff.assist import AgentAssist
from assistant.handoff.assist_store import SuggestionStore
from assistant.handoff.auth import AuthService
from assistant.handoff.ratings import TicketRatings
from assistant.handoff.tickets import TicketService
from assistant.handoff.triage import RoutingHook, load_routing_hook
from assistant.index.knowledge_index import KnowledgeIndex
from assistant.index.knowledge_uploads import KnowledgeUploadStore, shared_knowledge_uploads
from assistant.llm_answering import LlmAnswerer
from assistant.prereview.db_storage import DatabaseUploadStore
from assistant.prereview.limits import PrereviewLimits
from assistant.prereview.ocr import OcrEngine
from assistant.prereview.service import PrereviewService
from assistant.prereview.storage import UploadStore
from assistant.retrieval import HybridRetriever
from assistant.sessions import SessionStore
from assistant.settings import Settings

logger = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything a front end needs; built once per process."""

    settings: Settings
    index: KnowledgeIndex
    retriever: HybridRetriever
    extractive: ExtractiveAnswerer
    answerer: Answerer
    store: SessionStore
    chat: ChatService
    guides: GuideService | None
    prereview: PrereviewService | None
    tickets: TicketService
    auth: AuthService
    handoff: ChatHandoff
    assist: AgentAssist
    ratings: TicketRatings
    analytics: AnalyticsService
    knowledge_uploads: KnowledgeUploadStore | None = None
    """Dashboard uploads kept in the shared database (``shared_state_store``); None: local folder only."""

    def warm_up(self) -> float:
        """Load the tokenizer, BM25 index, term weights and the Chroma collection; returns seconds taken.

        Chinese questions skip the dense side, so the collection is opened here rather than by the
        first request that needs it.
        """
        started = time.perf_counter()
        self.extractive.answer("一网通办")
        _ = self.index.collection
        if self.guides is not None:
            self.guides.warm_up()
        return time.perf_counter() - started

    def close(self) -> None:
        self.index.close()
        self.store.engine.dispose()


def build_services(settings: Settings, *, ensure_index: bool = False) -> Services:
    """Wire the components; with ``ensure_index`` the bundled knowledge is ingested if missing or stale."""
    index = KnowledgeIndex(settings)
    busy_s = settings.database_busy_timeout_s
    store = SessionStore(make_engine(settings.resolved_database_url, sqlite_busy_timeout_s=busy_s))
    store.create_schema()
    knowledge_uploads = shared_knowledge_uploads(settings, store.engine)
    if ensure_index:
        from ingest.pipeline import ingest_bundled

        if knowledge_uploads is not None:  # before the ingest, which prunes files this machine lacks
            knowledge_uploads.materialise()

        report = ingest_bundled(index)
        logger.info(
            "index up to date: %d documents, %d chunks (%d added, %d updated, %d removed, %d failed)",
            report.documents_total,
            report.chunks_total,
            len(report.added),
            len(report.updated),
            len(report.removed),
            len(report.failed),
        )
    retriever = HybridRetriever.from_settings(settings, index)
    extractive = ExtractiveAnswerer(settings, index, retriever)
    model = build_chat_model(settings)
    answerer: Answerer = (
        LlmAnswerer(model, extractive) if model is not None else ExtractiveStreamer(extractive)
    )
    interpreter = LlmOptionInterpreter(model) if model is not None else None
    guides = (
        GuideService(settings.guides_dir, index.tokenizer, interpreter) if settings.guide_enabled else None
    )
    handoff = build_handoff(settings, store, answerer, index, guides, load_routing_hook())
    chat = ChatService(settings, store, answerer, guides, extractive.strength, handoff.chat)
    prereview = build_prereview(settings, guides, store.engine) if guides is not None else None
    analytics = AnalyticsService(store.engine, index.tokenizer)
    analytics.create_schema()  # the answer_feedback table
    return Services(
        settings,
        index,
        retriever,
        extractive,
        answerer,
        store,
        chat,
        guides,
        prereview,
        handoff.tickets,
        handoff.auth,
        handoff.chat,
        handoff.assist,
        handoff.ratings,
        analytics,
        knowledge_uploads,
    )


@dataclass
class HandoffServices:
    """Tickets, staff log-in, the chat's handoff bridge, agent assist and ticket ratings."""

    tickets: TicketService
    auth: AuthService
    chat: ChatHandoff
    assist: AgentAssist
    ratings: TicketRatings


def build_handoff(
    settings: Settings,
    store: SessionStore,
    answerer: Answerer,
    index: KnowledgeIndex,
    guides: GuideService | None,
    routing: RoutingHook | None = None,
) -> HandoffServices:
    """The handoff services on the session store's database (their tables created if missing);
    ``routing`` suggests departments and categories (``load_routing_hook()`` for the shipped model)."""
    engine = store.engine
    tickets, auth = TicketService(engine, settings), AuthService(engine, settings)
    suggestions, ratings = SuggestionStore(engine), TicketRatings(engine, tickets)
    for part in (tickets, auth, suggestions, ratings):
        part.create_schema()
    assist = AgentAssist(
        answerer,
        tickets,
        suggestions,
        lambda text: index.tokenizer.tokenize(text).terms,
        guides=guides,
        routing=routing,
        safety_classifier=settings.safety_classifier,
    )
    return HandoffServices(tickets, auth, ChatHandoff(tickets, store, routing), assist, ratings)


def prereview_limits(settings: Settings) -> PrereviewLimits:
    """The upload limits the settings ask for."""
    mb = 1024 * 1024
    return PrereviewLimits(
        max_file_bytes=int(settings.prereview_max_file_mb * mb),
        max_request_bytes=int(settings.prereview_max_request_mb * mb),
        max_files=settings.prereview_max_files,
        max_image_pixels=int(settings.prereview_max_image_megapixels * 1_000_000),
        max_pdf_pages=settings.prereview_max_pdf_pages,
        retention_hours=settings.prereview_retention_hours,
        max_store_bytes=int(settings.prereview_store_max_mb * mb),
    )


def build_prereview(
    settings: Settings, guides: GuideService, engine: Engine | None = None
) -> PrereviewService:
    """The pre-review service; its uploads go to ``engine``'s database when the settings share state
    there (``shares_state_in_database``), else to ``uploads_dir`` on this machine's disk."""
    limits = prereview_limits(settings)
    ocr = OcrEngine.shared(threads=settings.prereview_ocr_threads, det_side=settings.prereview_ocr_det_side)
    store: UploadStore | DatabaseUploadStore
    if settings.shares_state_in_database and engine is not None:
        store = DatabaseUploadStore(
            engine, settings.uploads_dir / "working", limits.retention, limits.max_store_bytes
        )
        store.create_schema()
    else:
        store = UploadStore(settings.uploads_dir, limits.retention, limits.max_store_bytes)
    return PrereviewService(guides, store, limits, ocr)
