"""The written contract of an action type: what a step module provides, and the defaults the engine uses.

An action type is one module under ``steps/`` plus its cases in ``tests/steps/cases/``, registered once in
``steps/__init__.py``. The planner, the applier and undo reach action types only through :class:`Action`;
none of them names an action type.

A module provides (``*`` = required):

* ``NAME``, ``TITLE``, ``PERMISSIONS`` (tuple of Graph permissions its requests need), ``Params`` (a
  pydantic model: the step's parameters) and ``plan(params, ctx) -> StepPlan`` (pure: no network).
* ``IRREVERSIBLE``: True when a change cannot be undone (a sent mail). Default False.
* ``check(change) -> Request | None``: how to find the change's object again by its natural key (a GET; query
  options go in ``Request.query`` so that the SDK encodes them). None: it cannot be looked up.
* ``is_done(change, body) -> bool``: the answer to ``check`` shows the change in effect (for an undo: reversed).
* ``found_id(body, change) -> str | None``: the id of the object ``check`` found (a create learns its id so).
* ``created_id(body) -> str | None``: the id of what a create made, from its answer. Default: ``body["id"]``
  (an invitation answers its own id; the guest's is ``invitedUser.id``); a 202 names it in Location.
* ``already_done(status, body) -> bool``: an error answer that means "already in effect" (400 "already exist").
* ``inverse(change) -> list[Change] | None``: the changes that undo a done change (``Change.inverted``); None
  when it cannot be undone (for a create whose id was never learned, undo looks the object up first).
* ``verify_reads(change, values) -> list[Request]`` and ``missing(change, values, bodies) -> list[str]``: reads
  of the whole desired state of a multi-part change (members, channels, assignment) and what is missing.
* ``requests(change) -> Cost``: the HTTP requests applying the change sends (the plan's estimate, summed in
  ``planner.estimate``). Default (``default_cost``): a single idempotent request travels in a ``$batch`` of 20
  with the step's others; a create is looked up first (one ``$batch`` of look-ups per step) and then sends each
  of its requests on its own; a change with a procedure of its own sends each of its requests.
* ``IRREVERSIBLE_WHY``: the catalogue key saying why (default ``run.cannot_undo.change``; a mail:
  ``run.cannot_undo.mail``).
* ``DATA_LOSS``: a catalogue key (``run.data_loss.<...>``) saying what undoing a done change destroys (a
  deleted team's chats and files, a mailbox whose licence goes); ``data_loss(change) -> Message | None`` when it
  depends on the change. Default: nothing is lost. Undo shows it before asking.
* ``apply(change, io) -> Awaitable[str]``: a procedure of its own instead of the engine's generic one (used by
  the announcement: draft with a marker, ``/send``, confirm in Sent Items); returns "done", or "unknown" when
  the effect cannot be confirmed (reported as such, never as done). ``io`` is an :class:`Io`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Awaitable, Callable, Protocol

from ..i18n import Message
from .model import Change, Request, StepPlan


class Lost(Exception):
    """The answer to a request that is not safe to repeat never came (or was a 5xx): it may have happened."""


class Io(Protocol):
    """What a custom ``apply`` may use: requests through the engine's retry budget and the run's journal."""

    values: dict  # results so far (ids), from the journal when resuming
    marker: str  # unique per run and change: put it on what you create so it can be found again
    in_doubt: bool  # an earlier attempt started and was not confirmed
    folder: Path  # the run's private folder (0700): files a step keeps out of the journal (temporary access passes)

    async def request(self, method: str, path: str, body: Any = None, *, idempotent: bool = True,
                      query: dict | None = None, headers: dict | None = None) -> Any: ...

    def journal(self, entry: dict) -> None: ...


class ActionType(Protocol):
    NAME: str
    TITLE: str
    PERMISSIONS: tuple[str, ...]
    Params: Any

    def plan(self, params: Any, ctx: Any) -> StepPlan: ...


def _none(*_a: Any) -> None:
    return None


def _false(*_a: Any) -> bool:
    return False


def _body_id(body: Any) -> str | None:
    return body.get("id") if isinstance(body, dict) else None


def _nothing(*_a: Any) -> list:
    return []


@dataclass(frozen=True)
class Cost:
    """The HTTP requests applying one change sends, by how they travel (issue 12: estimates from the apply).

    + direct: sent on their own. + batched: in a ``$batch`` of 20 with the step's other batched requests of the
    same phase. + lookups: GETs by natural key before a create, in one ``$batch`` per step. + polls: GETs of a
    long-running operation (202 + Location) until it finished; Graph decides how many, so this is the usual
    number, not a bound."""

    direct: int = 0
    batched: int = 0
    lookups: int = 0
    polls: int = 0


def default_cost(change: Change, *, custom_apply: bool = False,
                 check: Callable[[Change], Request | None] | None = None) -> Cost:
    """What the engine (applier.apply_plan) sends for ``change`` when the action type says nothing else.
    + check: the action type's look-up; a change it cannot look up is not looked up (None: it can)."""
    first = change.requests[0] if change.requests else None
    if first is None:
        return Cost()

    def lookup() -> int:
        return 1 if check is None or check(change) is not None else 0

    if change.data.get("undo_of_change"):  # an undo of a change in flight: its original is looked up first
        return Cost(direct=len(change.requests), lookups=1)
    if custom_apply:
        return Cost(direct=len(change.requests), lookups=lookup() if change.data.get("undo") else 0)
    if len(change.requests) == 1 and first.idempotent and "{" not in first.path:
        return Cost(batched=1, lookups=lookup() if change.data.get("undo") else 0)  # an undo may be reversed already
    return Cost(direct=len(change.requests), lookups=lookup() if not first.idempotent else 0)


@dataclass(frozen=True)
class Action:
    """An action type as the engine sees it: the module's functions, or the documented defaults."""

    name: str
    title: str
    permissions: tuple[str, ...]
    params: Any
    plan: Callable[..., StepPlan]
    irreversible: bool
    check: Callable[[Change], Request | None]
    is_done: Callable[[Change, Any], bool]
    found_id: Callable[[Any, Change], str | None]
    already_done: Callable[[int, Any], bool]
    created_id: Callable[[Any], str | None]
    inverse: Callable[[Change], list[Change] | None]
    verify_reads: Callable[[Change, dict], list[Request]]
    missing: Callable[[Change, dict, list], list[str]]
    apply: Callable[[Change, Io], Awaitable[str]] | None
    requests: Callable[[Change], Cost]
    data_loss: Callable[[Change], Message | None]
    irreversible_why: str

    @staticmethod
    def of(module: ModuleType) -> Action:
        get = lambda name, default: getattr(module, name, default)  # noqa: E731
        for required in ("NAME", "TITLE", "PERMISSIONS", "Params", "plan"):
            if not hasattr(module, required):
                raise TypeError(f"action type {module.__name__} lacks {required} (see playbook/contract.py)")
        check, custom = get("check", _none), get("apply", None)

        def cost(change: Change) -> Cost:
            return default_cost(change, custom_apply=custom is not None, check=check)

        loss_key = get("DATA_LOSS", None)

        def loss(change: Change) -> Message | None:
            return Message(loss_key, {"target": change.target}) if loss_key else None

        return Action(module.NAME, module.TITLE, tuple(module.PERMISSIONS), module.Params, module.plan,
                      bool(get("IRREVERSIBLE", False)), check, get("is_done", _false), get("found_id", _none),
                      get("already_done", _false), get("created_id", _body_id), get("inverse", _none), get("verify_reads", _nothing),
                      get("missing", _nothing), custom, get("requests", cost), get("data_loss", loss),
                      get("IRREVERSIBLE_WHY", "run.cannot_undo.change"))


__all__ = ["Action", "ActionType", "Cost", "Io", "Lost", "default_cost"]
