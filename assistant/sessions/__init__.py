"""Chat sessions, their messages and handoff records, persisted with SQLAlchemy (PII masked)."""

from assistant.sessions.store import HandoffRecord, SessionState, SessionStore, StoredMessage

__all__ = ["HandoffRecord", "SessionState", "SessionStore", "StoredMessage"]
