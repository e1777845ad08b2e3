"""Where the web pages keep copies of uploaded and downloaded files, and how long.

Gradio copies every file that passes through a page into its cache folder (``GRADIO_TEMP_DIR``, by
default the machine-wide ``/tmp/gradio``, kept forever). This points it at the deployment's own data
folder instead, private to its user, unless the operator has set ``GRADIO_TEMP_DIR`` already; the
app's lifespan then sweeps it with the pre-review retention period. Files the pages write for download
are written inside it too (:func:`page_file_folder`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from assistant.prereview.folder_sweep import FolderSweep
from assistant.settings import Settings

ENV_VAR = "GRADIO_TEMP_DIR"


def use_page_file_cache(settings: Settings) -> Path:
    """Set Gradio's cache folder for this process (first caller wins) and return the folder in use.

    Call before any page is built: Gradio reads the variable when its Blocks and app are created."""
    os.environ.setdefault(ENV_VAR, str(settings.ui_cache_dir))
    folder = Path(os.environ[ENV_VAR])
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def page_file_folder(kind: str) -> Path:
    """A private folder inside the pages' cache for files the pages write for download (checklists, CSV
    exports), so the same sweep deletes them; Gradio serves them from there without another copy."""
    from gradio.utils import get_upload_folder  # GRADIO_TEMP_DIR, else Gradio's default

    folder = Path(get_upload_folder()) / kind
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def discard_page_uploads(paths: Sequence[str]) -> int:
    """Delete the pages' copies of uploaded files once their content has been handed on, and the
    per-upload folders Gradio made for them if now empty; return how many files were deleted.

    Only regular files inside the pages' cache folder are touched (never a link, never a path
    elsewhere), so a path that did not come from an upload is left alone."""
    from gradio.utils import get_upload_folder

    root = Path(get_upload_folder()).resolve()
    deleted = 0
    for raw in paths:
        path = Path(raw)
        if path.is_symlink() or not path.is_file():
            continue
        resolved = path.resolve()
        if resolved == root or not resolved.is_relative_to(root):
            continue
        resolved.unlink(missing_ok=True)
        deleted += 1
        parent = resolved.parent
        if parent != root and parent.is_relative_to(root):
            with contextlib.suppress(OSError):  # not empty, or already gone
                parent.rmdir()
    return deleted


def page_file_sweep(settings: Settings, folder: Path) -> FolderSweep:
    """The retention sweep for the pages' cache folder (same period as pre-review uploads)."""
    return FolderSweep(folder, timedelta(hours=settings.prereview_retention_hours))
