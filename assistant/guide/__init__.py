"""智能导办: the service catalogue, guided dialogue and personalised checklist."""
