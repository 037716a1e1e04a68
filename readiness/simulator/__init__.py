"""A faithful local Microsoft Graph: generated tenants, Graph's paging, filters, permissions,
throttling and errors, served in-process (httpx transport) or over real HTTP on 127.0.0.1.

It powers `readiness demo`, the end-to-end tests and the benchmarks; it records the client's
conduct (Retry-After respected? nextLink followed as given? $select used?) so tests can assert it.
"""
from __future__ import annotations

from .app import Faults, Simulator
from .generate import PROFILES, generate_tenant

__all__ = ["Faults", "PROFILES", "Simulator", "generate_tenant"]
