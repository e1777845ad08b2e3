"""The knowledge index: a SQLite chunk store (source of truth), a BM25 index and a Chroma collection."""
