"""What is computed from a snapshot, offline and language-free: facts, checks run, matrix, scores, trend, privacy.

Kept empty on purpose: importing ``readiness.audit.facts`` must not pull in the checks (no import cycles).
"""
