"""Engine frameworks for the platform, built from the snapshot a FrameworkRecord keeps."""

from __future__ import annotations

from typing import Any

from campuseval.engine import Framework, load_framework_text

_CACHE: dict[str, Framework] = {}


def framework_for(record: Any) -> Framework:
    """The engine Framework for a FrameworkRecord, cached by the snapshot's sha256 so every
    request scores against the same parsed object without re-reading YAML."""
    framework = _CACHE.get(record.sha256)
    if framework is None:
        framework = load_framework_text(record.source_yaml, f"{record.key}.yaml")
        _CACHE[record.sha256] = framework
    return framework
