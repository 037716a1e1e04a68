"""Load playbook YAML safely: no aliases, no duplicate keys, a size limit, errors that name the line."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import Phrase
from ..resources import data_root
from ..safe_io import read_regular
from .document import Playbook, PlaybookError, Step, _strip

MAX_BYTES = 256 * 1024
MAX_DEPTH = 64  # nesting of lists and mappings; the composer recurses, so 10,000 levels would exhaust the stack


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses anchors/aliases, duplicate and complex keys and deep nesting, and remembers lines.

    Booleans are YAML 1.2's: only true/false. YAML 1.1 also reads yes/no/on/off (and y/n in some parsers) as
    booleans, so `members: no` would silently mean something; here such words stay strings, and the schema
    refuses a string where a boolean belongs.
    """

    _depth = 0


_BOOL = "tag:yaml.org,2002:bool"
_Loader.yaml_implicit_resolvers = {first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL]
                                   for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise PlaybookError.keyed("playbook.key_not_word", name=loader.name, value=key_node.start_mark.line + 1,
                                      kind='list' if isinstance(key_node, yaml.SequenceNode) else 'mapping')
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise PlaybookError.keyed("playbook.duplicate_key", name=loader.name, value=key_node.start_mark.line + 1,
                                      key=key, seen=seen[key])
        seen[key] = key_node.start_mark.line + 1
    mapping = loader.construct_mapping(node, deep=deep)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _compose_node(self: _Loader, parent: Any, index: Any) -> Any:
    if self.check_event(yaml.AliasEvent) or (self.check_event(yaml.NodeEvent) and self.peek_event().anchor):
        event = self.peek_event()
        raise PlaybookError.keyed("playbook.yaml_alias", name=self.name, value=event.start_mark.line + 1)
    if self._depth >= MAX_DEPTH:
        raise PlaybookError.keyed("playbook.yaml_too_deep", name=self.name, value=self.peek_event().start_mark.line + 1,
                                  max_depth=MAX_DEPTH)
    self._depth += 1
    try:
        return yaml.composer.Composer.compose_node(self, parent, index)
    finally:
        self._depth -= 1


_Loader.compose_node = _compose_node  # type: ignore[method-assign]




def builtin_names() -> list[str]:
    root = data_root("playbooks")
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".yaml"))


def load(name_or_path: str) -> Playbook:
    """A shipped playbook by name, or a YAML file anywhere."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.exists():
            raise PlaybookError.keyed("playbook.file_not_found", path=path)
        raw = read_regular(path, MAX_BYTES, Phrase("errors.files.nouns.playbook"))
        source, base = str(path), path.resolve().parent
    else:
        if name_or_path not in builtin_names():
            raise PlaybookError.keyed("playbook.unknown_shipped", name_or_path=name_or_path,
                                      items=', '.join(builtin_names()))
        raw = data_root("playbooks").joinpath(f"{name_or_path}.yaml").read_bytes()
        source, base = f"builtin:{name_or_path}", None
    return parse(raw, source, base)


def parse(raw: bytes, source: str, base: Path | None = None) -> Playbook:
    if len(raw) > MAX_BYTES:
        raise PlaybookError.keyed("playbook.too_large", source=source, max_bytes=MAX_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PlaybookError.keyed("playbook.not_utf8", source=source) from None
    loader = _Loader(text)
    loader.name = source
    try:
        doc = loader.get_single_data()
    except RecursionError:  # pragma: no cover - MAX_DEPTH stops nesting long before the stack runs out
        raise PlaybookError.keyed("playbook.too_deep", source=source) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark else ""
        raise PlaybookError.keyed("playbook.bad_yaml", source=source, line=line, detail=getattr(exc, 'problem', exc)) from None
    finally:
        loader.dispose()
    from .schema import validate

    return validate(doc, source, base, hashlib.sha256(raw).hexdigest())


__all__ = ["Playbook", "PlaybookError", "Step", "builtin_names", "load", "parse", "_strip"]
