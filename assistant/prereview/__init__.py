"""智能预审: pre-check uploaded application materials against a service checklist (advisory)."""
