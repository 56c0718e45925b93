"""YAML reading that keeps line numbers and reads every non-integer number as a Decimal."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml


class Node(dict[str, Any]):
    """A mapping that remembers the line it started on (1-based)."""

    line: int = 0


class _Loader(yaml.SafeLoader):
    pass


_BOOL_TAG = "tag:yaml.org,2002:bool"


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Node:
    loader.flatten_mapping(node)
    result = Node()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag == _BOOL_TAG and key_node.style is None:
            # YAML 1.1 reads a bare `on`, `off`, `yes` or `no` as a boolean: as a key, the word
            # written is meant (`on: base` chooses what a level or the eligibility gate counts)
            key: Any = key_node.value
        else:
            key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"重复的键 {key!r} / duplicate key {key!r}",
                key_node.start_mark,
            )
        result[str(key) if not isinstance(key, str) else key] = loader.construct_object(value_node, deep=True)
    return result


def _construct_float(loader: _Loader, node: yaml.ScalarNode) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")
    return Decimal(text)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)


def load_yaml(text: str) -> Any:
    """Parse YAML text; mappings come back as `Node` with `.line`, decimals as `Decimal`."""
    return yaml.load(text, Loader=_Loader)


def line_of(obj: object) -> int:
    return obj.line if isinstance(obj, Node) else 0
