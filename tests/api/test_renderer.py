"""The API's JSON (orjson) is what DRF's own renderer writes, byte for byte, for the types the API returns."""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy
from rest_framework import renderers
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from projects.api.renderers import JSONRenderer

SHANGHAI = ZoneInfo("Asia/Shanghai")
DATA = {
    "text": 'POS收单系统建设 “81%” <b>&</b> \u2028 line \u2029 paragraph \\ "quoted"',
    "numbers": [0, -1, 2**53, 81.43, 0.1, Decimal("99.997"), Decimal("1.50"), True, False, None],
    "moments": [
        datetime(2023, 12, 29, 17, 0, tzinfo=SHANGHAI),
        datetime(2023, 12, 29, 9, 0, 0, 123456, tzinfo=UTC),
        date(2023, 12, 29),
        time(17, 0, 5, 250000),
        timedelta(days=1, seconds=5),
    ],
    "lazy": gettext_lazy("Not found."),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "nested": ReturnDict({"rows": ReturnList([{"a": 1}, {"b": [1, 2]}], serializer=None)}, serializer=None),
    "keys": {1: "one", "2": "two"},
    "empty": {"list": [], "dict": {}, "string": ""},
}


def test_the_api_writes_the_same_json_as_drf():
    assert JSONRenderer().render(DATA) == renderers.JSONRenderer().render(DATA)


def test_indented_json_is_still_indented():
    ours = JSONRenderer().render(DATA, "application/json; indent=2")
    assert ours == renderers.JSONRenderer().render(DATA, "application/json; indent=2") and b'\n  "text"' in ours


def test_nothing_renders_as_nothing():
    assert JSONRenderer().render(None) == b""
