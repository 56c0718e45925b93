"""The backup's serialization format ("backup", registered in settings.SERIALIZATION_MODULES):
Django's JSON format, except that times keep their microseconds. Django's own JSON encoder cuts
them to milliseconds, and a restore must give back the audit log's times as they were."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.serializers.json import Deserializer as JSONDeserializer
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer


class FullPrecisionEncoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class Serializer(JSONSerializer):
    def serialize(self, queryset: Any, **options: Any) -> Any:
        return super().serialize(queryset, **{**options, "cls": FullPrecisionEncoder})


Deserializer = JSONDeserializer
