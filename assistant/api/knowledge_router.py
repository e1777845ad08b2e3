"""Search the knowledge, list its documents, and report health."""

from __future__ import annotations

import os
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response

from assistant.api.dependencies import ServicesDep
from assistant.api.schemas import SearchHit

router = APIRouter(prefix="/api", tags=["knowledge"])


@router.get("/search", response_model=list[SearchHit], summary="Hybrid search over the knowledge")
def search(
    services: ServicesDep,
    response: Response,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="The query, e.g. 跨省通办")],
    k: Annotated[int, Query(ge=1, le=50)] = 5,
    doc_id: Annotated[str | None, Query(description="Only this document.")] = None,
) -> list[dict[str, object]]:
    if not q.strip():
        raise HTTPException(status_code=422, detail="q must not be blank")
    hits = services.retriever.search(q, k=k, filters={"doc_id": doc_id} if doc_id else None)
    response.headers["X-Worker-Pid"] = str(os.getpid())  # which server process answered (several workers)
    return [
        {
            "rank": rank,
            "chunk_id": h.chunk.chunk_id,
            "doc_id": h.chunk.doc_id,
            "title": h.chunk.title,
            "section": h.chunk.section,
            "snippet": h.chunk.text[:300],
            "score": round(h.score, 6),
            "sparse_rank": h.sparse_rank,
            "dense_rank": h.dense_rank,
        }
        for rank, h in enumerate(hits, start=1)
    ]


@router.get("/documents", summary="Documents in the index, with their chunk counts")
def documents(services: ServicesDep) -> list[dict[str, object]]:
    counts: dict[str, dict[str, object]] = {}
    for chunk in services.index.chunks().values():
        entry = counts.setdefault(
            chunk.doc_id,
            {
                "doc_id": chunk.doc_id,
                "title": chunk.title,
                "chunks": 0,
                **{
                    key: chunk.metadata[key]
                    for key in ("文号", "kind", "language", "成文日期")
                    if key in chunk.metadata
                },
            },
        )
        entry["chunks"] = int(str(entry["chunks"])) + 1
    return sorted(counts.values(), key=lambda d: str(d["doc_id"]))


@router.get("/health", summary="Liveness and index status")
def health(services: ServicesDep) -> dict[str, object]:
    """Liveness and the index's counts; cheap to poll (no walk of the index folder)."""
    stats = services.index.health()
    return {
        "status": "ok" if stats.get("chunks") else "empty_index",
        "index": stats,
        "llm": services.settings.llm_mode,
        "embedding_model": services.settings.embedding_model,
    }
