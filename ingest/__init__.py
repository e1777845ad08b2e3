"""Ingest pipeline: load, clean, normalise, chunk and index documents."""
