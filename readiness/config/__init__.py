"""Configuration: tenant profiles, the client-secret store (OS keyring) and resolving a connection."""
from __future__ import annotations
