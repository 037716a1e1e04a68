"""Many client tenants in one process: onboarding, fleet audit, drift, history and GDAP discovery."""
from __future__ import annotations
