"""Synthetic application materials for made-up people, to benchmark the pre-review (智能预审).

``python -m evals.prereview_samples --out DIR`` writes a case set; the format is documented in
``evals/datasets/PREREVIEW.md``. Nothing here is imported by the assistant itself.
"""
