"""Gradio front ends: thin clients of the services (see ``ui.citizen`` for the citizen chat)."""
