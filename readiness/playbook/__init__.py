"""Playbooks: plan first, apply safely (journal, resume, verify, undo), never twice, never silently."""
