"""Tenant profiles: named connections for IT providers with many clients.

Non-secret settings live in ``tenants.json`` in the platform's config folder; a client secret lives
only in the OS keyring (keystore.py).
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import ConfigError, Phrase, UsageError
from ..graph.auth import AUTH_METHODS
from ..graph.clouds import CLOUDS, custom_endpoint
from ..paths import config_dir, write_private

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
TENANT_RE = re.compile(r"^([0-9a-fA-F-]{36}|[A-Za-z0-9.-]+\.[A-Za-z]{2,})$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


@dataclass
class TenantProfile:
    name: str
    tenant: str  # tenant id (GUID) or a verified domain
    auth: str = "device-code"
    client_id: str = ""
    cloud: str = "global"
    graph_url: str = ""
    usage_location: str = ""  # ISO 3166 alpha-2 used when a user has none (licensing playbooks)
    cert_path: str = ""
    extra: dict = field(default_factory=dict)
    tags: list = field(default_factory=list)  # groups for fleet commands (`fleet audit --tag T`)

    def validate(self) -> None:
        if not NAME_RE.match(self.name):
            raise UsageError.keyed("config.bad_profile_name", name=self.name)
        if not TENANT_RE.match(self.tenant):
            raise UsageError.keyed("config.bad_tenant", tenant=self.tenant)
        if self.auth not in AUTH_METHODS:
            raise UsageError.keyed("config.unknown_auth", auth=self.auth, items=', '.join(AUTH_METHODS))
        if self.auth in ("client-secret", "certificate") and not self.client_id:
            raise UsageError.keyed("config.auth_needs_client_id", auth=self.auth)
        if self.auth == "certificate" and not self.cert_path:
            raise UsageError.keyed("config.auth_needs_cert")
        if self.cloud not in CLOUDS and not self.graph_url:
            raise UsageError.keyed("config.unknown_cloud", cloud=self.cloud, items=', '.join(CLOUDS))
        if self.graph_url:
            custom_endpoint(self.graph_url)
        for tag in self.tags:
            if not NAME_RE.match(tag):
                raise UsageError.keyed("config.bad_tag", tag=tag)
        if self.usage_location and not COUNTRY_RE.match(self.usage_location):
            raise UsageError.keyed("config.bad_usage_location", usage_location=self.usage_location)


class ProfileStore:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or (config_dir() / "tenants.json")

    def _load(self) -> dict:
        if not self.path.exists():
            return {"default": None, "tenants": {}}
        try:
            doc = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError.keyed("config.profiles_unreadable", path=self.path, exc=exc) from exc
        doc.setdefault("tenants", {})
        doc.setdefault("default", None)
        return doc

    def _save(self, doc: dict) -> None:
        write_private(self.path, json.dumps(doc, indent=2, sort_keys=True) + "\n")

    def list(self) -> tuple[list[TenantProfile], str | None]:
        doc = self._load()
        return [TenantProfile(**v) for _, v in sorted(doc["tenants"].items())], doc["default"]

    def get(self, name: str) -> TenantProfile:
        doc = self._load()
        if name not in doc["tenants"]:
            known = ", ".join(sorted(doc["tenants"])) or Phrase("errors.words.none_yet")
            raise ConfigError.keyed("config.no_profile", name=name, known=known)
        return TenantProfile(**doc["tenants"][name])

    def default(self) -> TenantProfile | None:
        doc = self._load()
        name = doc["default"]
        return TenantProfile(**doc["tenants"][name]) if name in doc["tenants"] else None

    def add(self, profile: TenantProfile, *, make_default: bool = False, replace: bool = False) -> tuple[bool, str | None]:
        """Save a profile. It becomes the default when asked, or when it is the very first profile.

        Returns (became_default, previous_default) so that the caller can announce the change.
        """
        profile.validate()
        doc = self._load()
        if profile.name in doc["tenants"] and not replace:
            raise UsageError.keyed("config.profile_exists", name=profile.name)
        first = not doc["tenants"]
        doc["tenants"][profile.name] = asdict(profile)
        previous = doc["default"] if doc["default"] in doc["tenants"] else None
        became = (make_default or first) and previous != profile.name
        if became:
            doc["default"] = profile.name
        self._save(doc)
        return became, previous

    def remove(self, name: str) -> tuple[TenantProfile, bool]:
        """Remove a profile; returns it and whether it was the default.

        Removing the default leaves no default: another profile is never promoted silently (an IT provider
        would otherwise audit the wrong customer by accident).
        """
        profile = self.get(name)
        doc = self._load()
        del doc["tenants"][name]
        was_default = doc["default"] == name
        if was_default:
            doc["default"] = None
        self._save(doc)
        return profile, was_default

    def set_default(self, name: str) -> str | None:
        """Make ``name`` the default; returns the previous default (None if there was none)."""
        self.get(name)
        doc = self._load()
        previous = doc["default"] if doc["default"] in doc["tenants"] else None
        doc["default"] = name
        self._save(doc)
        return previous
