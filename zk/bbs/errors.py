"""What can go wrong in BBS: one base error (the draft's INVALID and ABORT)."""

from __future__ import annotations

from graph.errors import CivicGraphError


class BbsError(CivicGraphError):
    """An input the draft says is INVALID, or a step it says to ABORT."""
