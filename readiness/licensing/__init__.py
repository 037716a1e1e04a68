"""Microsoft's product and service plan table, and what each service plan means for remote work."""
from __future__ import annotations

from .capabilities import CAPABILITIES, capabilities_of_plan
from .catalog import Catalog, SkuInfo, catalog

__all__ = ["CAPABILITIES", "Catalog", "SkuInfo", "capabilities_of_plan", "catalog"]
