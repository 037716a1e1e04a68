"""The crisis functions under their public names (``readiness.measures_*``, ``readiness.track_measures``)."""
from __future__ import annotations

from .measures import add_measure as measures_add
from .measures import export as measures_export
from .measures import load_register as measures_load
from .measures import set_measure as measures_set
from .measures import track as measures_track
from .measures import track_audit as track_measures

__all__ = ["measures_add", "measures_export", "measures_load", "measures_set", "measures_track", "track_measures"]
