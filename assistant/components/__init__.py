"""Backends, one module per kind, each chosen by a setting and imported lazily."""
