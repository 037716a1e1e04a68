"""Before, during and after the crisis: letters to the people who are not ready, a measures register per
tenant, drills on a replica of the tenant. Functions are exported as ``readiness.letters``,
``readiness.measures_*`` and ``readiness.drill`` (see docs/crisis.md)."""
from __future__ import annotations
