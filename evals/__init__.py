"""Benchmarks and evaluation runners."""
