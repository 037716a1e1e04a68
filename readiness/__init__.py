"""readiness: measure and raise a Microsoft 365 tenant's readiness for remote work in a crisis."""
from __future__ import annotations

__version__ = "0.1.0"
