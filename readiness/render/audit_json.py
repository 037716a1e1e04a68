"""The audit as JSON: the versioned envelope around the view's data (audit_view.audit_data, same keys as ever)."""
from __future__ import annotations

from .audit_view import AuditView, audit_data
from .envelope import envelope

audit_dict = audit_data  # the name the fleet and scripts import


def render_json(view: AuditView, *, command: str = "report", exit_code: int = 0) -> str:
    return envelope(command, view.data, exit_code=exit_code, status=view.status, errors=view.errors)
