"""URLs of playbook requests: query options built from tenant data are encoded by the SDK, never by hand.

A team called ``R&D + Ops`` or a guest ``anna+extern@example.com`` must reach Graph as one ``$filter`` value;
concatenated into a URL the ``&`` ends the option and the ``+`` becomes a space, the look-up by natural key
finds nothing and a resume would create the object again. kiota's RequestInformation expands an RFC 6570
URI template (the SDK's own query-parameter encoding); the names come back as ``$filter`` so that the same URL
works inside a ``$batch`` (where the SDK's ParametersNameDecodingHandler does not run).
"""
from __future__ import annotations

import re

_NAME = re.compile(r"([?&])%24([A-Za-z]+)=")


def odata_string(value: str) -> str:
    """An OData string literal: quotes around, a quote inside doubled (``O'Brien`` -> ``'O''Brien'``)."""
    return "'" + str(value).replace("'", "''") + "'"


def url(path: str, query: dict | None = None, values: dict | None = None) -> str:
    """``path`` (placeholders filled from ``values``) with ``query`` encoded by the SDK's URI template."""
    if values:
        path = path.format(**values)
    if not query:
        return path
    from kiota_abstractions.method import Method
    from kiota_abstractions.request_information import RequestInformation

    names = {name: name.replace("$", "%24") for name in query}
    template = "{+path}{?" + ",".join(names.values()) + "}"
    info = RequestInformation(Method.GET, template, {"path": path})
    for name, value in query.items():
        info.query_parameters[names[name]] = str(value)
    return _NAME.sub(lambda m: f"{m.group(1)}${m.group(2)}=", info.url)


__all__ = ["odata_string", "url"]
