"""The ReadinessError tree. Each class knows its exit code; the CLI translates them once.

A message reads ``<what happened>. <how to fix it>.``: ``what`` and ``fix`` are kept apart so that
JSON output can carry them separately.

The words come from the catalogue: ``ConfigError.keyed("config.no_profile", name=name)`` names the texts
``errors.config.no_profile.what`` and ``.fix`` (the fix may be absent) of ``reports/translations/<lang>.json``.
``what``, ``fix`` and ``str(exc)`` are the English texts (logs, tests, the journal); ``exc.text(lang)``,
``what_in(lang)`` and ``fix_in(lang)`` render the same error in any language of the catalogue. A parameter that is
itself a ReadinessError or an ``i18n.Message`` is rendered in the same language. A plain ``Error(what, fix)`` with
literal English remains possible (the simulator's own errors, texts that come from elsewhere).
"""
from __future__ import annotations

from typing import Any, Mapping, Protocol, TypeVar

from .exitcodes import ExitCode


def _unstop(text: str) -> str:
    """Without its closing full stop; an ellipsis (``export X=...``) is part of the text and stays."""
    return text if text.endswith("...") else text.rstrip(".")


def _stop(text: str) -> str:
    return text if text.endswith("...") else f"{text}."


ENGLISH = "en"


class _Catalogue(Protocol):
    def has(self, key: str, lang: str) -> bool: ...
    def text(self, key: str, lang: str, /, **params: Any) -> str: ...


_catalogue: _Catalogue | None = None


def use_catalogue(catalogue: _Catalogue) -> None:
    """Called once by ``readiness.i18n`` (which the package imports first): errors sit below the catalogue in the
    layers, and the catalogue raises UsageError itself, so the texts are handed down rather than imported."""
    global _catalogue
    _catalogue = catalogue


def _render(key: str, part: str, lang: str, params: Mapping[str, Any]) -> str:
    """``errors.<key>.<part>`` in ``lang`` ("" when the catalogue has no such text); English if ``lang`` fails."""
    if _catalogue is None:  # pragma: no cover - readiness/__init__.py imports i18n before anything else
        raise RuntimeError("readiness.i18n was not imported")
    full = f"errors.{key}.{part}"
    for candidate in (lang, ENGLISH):
        try:
            if not _catalogue.has(full, candidate):
                continue
            values = {k: _param(v, candidate) for k, v in params.items()} or {"_": ""}  # formatted: {{ }} become { }
            return _catalogue.text(full, candidate, **values)
        except ReadinessError:  # a language without a catalogue file: English
            continue
    return ""


def _param(value: Any, lang: str) -> Any:
    if isinstance(value, ReadinessError):
        return value.text(lang)
    if isinstance(value, Phrase):
        return value.text(lang)
    return value


class Phrase(str):
    """A part of an error message (a hint, a reason word) that is a plain English ``str`` wherever a string is
    expected, and renders in another language when the error does: ``Phrase("errors.auth.hints.login", name=n)``."""

    key: str
    params: dict[str, Any]

    def __new__(cls, key: str, /, **params: Any) -> "Phrase":
        self = super().__new__(cls, _phrase(key, ENGLISH, params))
        self.key, self.params = key, params
        return self

    def __getnewargs_ex__(self) -> tuple[tuple[str], dict[str, Any]]:  # copy and pickle by key, not by English text
        return (self.key,), self.params

    def text(self, lang: str) -> str:
        try:
            return _phrase(self.key, lang, self.params)
        except (KeyError, ReadinessError):
            return str(self)

    def as_data(self) -> dict[str, Any]:
        """Its key and parameters as JSON data, for files read later in any language (a snapshot section's reason);
        a nested Phrase is kept by key too, anything else that is not JSON as its English text."""
        return {"key": self.key, "params": {k: _as_data(v) for k, v in self.params.items()}}

    @classmethod
    def from_data(cls, key: Any, params: Any) -> "Phrase | None":
        """The Phrase ``as_data`` wrote; None when the data is not one or the catalogue cannot say it (a file from
        another version): the caller keeps the text it stored beside it."""
        if not isinstance(key, str) or not key or not isinstance(params, dict):
            return None
        try:
            return cls(key, **{str(k): _from_data(v, 0) for k, v in params.items()})
        except (KeyError, ValueError, IndexError, TypeError, AttributeError, ReadinessError):
            return None


PHRASE_MARK = "$phrase"


def _as_data(value: Any) -> Any:
    if isinstance(value, Phrase):
        return {PHRASE_MARK: value.key, "params": {k: _as_data(v) for k, v in value.params.items()}}
    if value is None or isinstance(value, (bool, int, float)) or type(value) is str:
        return value
    return str(value)


def _from_data(value: Any, depth: int) -> Any:
    if isinstance(value, dict) and isinstance(value.get(PHRASE_MARK), str) and isinstance(value.get("params"), dict):
        if depth > 3:
            raise ValueError("phrases nested too deep")
        return Phrase(value[PHRASE_MARK], **{str(k): _from_data(v, depth + 1) for k, v in value["params"].items()})
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ValueError("not a phrase parameter")


def _phrase(key: str, lang: str, params: Mapping[str, Any]) -> str:
    if _catalogue is None:  # pragma: no cover - see use_catalogue
        raise RuntimeError("readiness.i18n was not imported")
    values = {k: _param(v, lang) for k, v in params.items()} or {"_": ""}
    said = _catalogue.text(key, lang, **values)
    # an error's "what happened" used as a reason inside a sentence: without its closing stop, as ReadinessError.what
    return _unstop(said) if key.startswith("errors.") and key.endswith(".what") else said


def error_phrase(exc: "ReadinessError") -> "Phrase | None":
    """What happened in ``exc`` as a Phrase (its catalogue key and parameters), None for an error written in English."""
    if not exc.key:
        return None
    # the advice of an error whose fix is another entry's (graph.answer_too_large: graph.bad_answer's), for who says
    # the reason later (the exit-6 line): carried as a parameter, which the sentence itself does not use
    fix = {"fix_key": exc.fix_key} if exc.fix_key != exc.key and "fix_key" not in exc.params else {}
    try:
        return Phrase(f"errors.{exc.key}.what", **exc.params, **fix)
    except (KeyError, ValueError, IndexError, ReadinessError):
        return None


_E = TypeVar("_E", bound="ReadinessError")


class ReadinessError(Exception):
    exit_code: ExitCode = ExitCode.RUNTIME_ERROR
    code: str = "error"

    def __init__(self, what: str = "", fix: str = "", *, key: str = "", params: Mapping[str, Any] | None = None,
                 fix_key: str = "") -> None:
        self.key = key
        self.fix_key = fix_key or key  # several errors of an area may share one fix (errors.snapshot.damaged.fix)
        self.params = dict(params or {})
        if key:
            what, fix = _render(key, "what", ENGLISH, self.params) or key, _render(self.fix_key, "fix", ENGLISH, self.params)
        super().__init__(what)
        self.what = _unstop(what)
        self.fix = _unstop(fix)

    @classmethod
    def keyed(cls: type[_E], key: str, /, *, fix_key: str = "", **params: Any) -> _E:
        """The error whose texts are ``errors.<key>.what`` and ``.fix`` (or ``errors.<fix_key>.fix``) in the
        catalogue, filled with ``params``."""
        return cls(key=key, params=params, fix_key=fix_key)

    def what_in(self, lang: str) -> str:
        return _unstop(_render(self.key, "what", lang, self.params) or self.what) if self.key else self.what

    def fix_in(self, lang: str) -> str:
        return _unstop(_render(self.fix_key, "fix", lang, self.params)) if self.key else self.fix

    def text(self, lang: str = ENGLISH) -> str:
        """``<what happened>. <how to fix it>.`` in ``lang``."""
        what, fix = self.what_in(lang), self.fix_in(lang)
        return f"{_stop(what)} {_stop(fix)}" if fix else _stop(what)

    def __str__(self) -> str:
        return f"{_stop(self.what)} {_stop(self.fix)}" if self.fix else _stop(self.what)

    def as_data(self) -> dict[str, Any] | None:
        """Its keys and parameters as JSON data, for a file read later in any language (a fleet entry's error);
        None for an error written in English (the caller keeps ``str(exc)`` beside it)."""
        if not self.key:
            return None
        return {"key": self.key, "fix_key": self.fix_key, "params": {k: _as_data(v) for k, v in self.params.items()}}

    @classmethod
    def from_data(cls, data: Any) -> "ReadinessError | None":
        """The error ``as_data`` wrote; None when the data is not one or the catalogue has no such error (a file
        from another version, or edited): the caller says the English text it stored beside it."""
        if not isinstance(data, dict) or not isinstance(data.get("params"), dict):
            return None
        key, fix_key = data.get("key"), data.get("fix_key")
        if not (isinstance(key, str) and isinstance(fix_key, str) and _catalogue is not None
                and _catalogue.has(f"errors.{key}.what", ENGLISH)):
            return None
        try:
            exc = cls(key=key, fix_key=fix_key, params={str(k): _from_data(v, 0) for k, v in data["params"].items()})
            exc.text(ENGLISH)  # every placeholder filled
        except (KeyError, ValueError, IndexError, TypeError, AttributeError, ReadinessError):
            return None
        return exc


class UsageError(ReadinessError):
    exit_code = ExitCode.USAGE
    code = "usage"


class ConfigError(ReadinessError):
    """A profile, a config file or a local setting is missing or wrong."""

    code = "config"


class SecretStoreError(ConfigError):
    """No usable OS keyring, or the keyring refused."""

    code = "keyring"


class AuthError(ReadinessError):
    """Signing in failed or needs the user."""

    code = "auth"


class TokenRejected(AuthError):
    """Graph answered 401: the token is expired, malformed, or for another audience or tenant.

    Raised by the graph layer itself, so that no collector can mistake it for a missing section.
    """

    code = "token_rejected"

    def __init__(self, what: str = "", fix: str = "", *, reason: str = "invalid", request_id: str = "",
                 key: str = "", params: Mapping[str, Any] | None = None, fix_key: str = "") -> None:
        super().__init__(what, fix, key=key, params=params, fix_key=fix_key)
        self.reason = reason  # expired | invalid | wrong tenant
        self.request_id = request_id


class DataIncomplete(ReadinessError):
    """Some sections could not be read because of faults: a result built on them must not pass."""

    exit_code = ExitCode.DATA_INCOMPLETE
    code = "data_incomplete"


class GraphError(ReadinessError):
    """Graph answered with an error status (after retries)."""

    code = "graph"

    def __init__(
        self,
        what: str = "",
        fix: str = "",
        *,
        status: int = 0,
        graph_code: str = "",
        request_id: str = "",
        path: str = "",
        key: str = "",
        params: Mapping[str, Any] | None = None,
        fix_key: str = "",
    ) -> None:
        super().__init__(what, fix, key=key, params=params, fix_key=fix_key)
        self.status = status
        self.graph_code = graph_code
        self.request_id = request_id
        self.path = path

    @property
    def is_forbidden(self) -> bool:
        return self.status == 403 or self.graph_code == "Authorization_RequestDenied"


class GraphUnavailable(GraphError):
    """Could not reach Graph at all (connection refused, DNS, TLS) after retries."""

    code = "network"


class GraphBadResponse(GraphError):
    """Graph (or whatever answers at its address) sent something that cannot be trusted or read:
    a body that is not JSON, a page of the wrong shape, a nextLink to another origin or in a loop,
    a redirect loop. The section that asked fails with this reason."""

    code = "bad_response"


class WaitCapReached(GraphError):
    """Graph asked to wait longer than the total wait cap (--max-wait) allows."""

    code = "wait_cap"


class SnapshotError(ReadinessError):
    code = "snapshot"
