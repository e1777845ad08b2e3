"""Human handoff: tickets, queue, lifecycle, suggested replies and routing (派单)."""
