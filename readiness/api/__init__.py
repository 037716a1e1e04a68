"""The public API behind ``import readiness``: one module per subject (audit, playbooks, simulator).

Scripts import ``readiness`` (names are loaded lazily there); the async twins live in ``readiness.aio``.
"""
