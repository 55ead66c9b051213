"""OpenAPI components from the rollup's TypedDicts (``reports.rollup.types``), so the API documents the
rollup from the one declaration the builder is typed with.

Each TypedDict becomes a response-only DRF serializer class (never used to serialize, only read by
drf-spectacular), named ``Rollup<Name>``: drf-spectacular then emits one component per TypedDict,
marks ``X | None`` nullable, keeps ``NotRequired`` keys out of ``required`` and turns model choices
and ``Literal`` values into shared enum components. A hint it does not know is an error, not an
untyped field.
"""

from __future__ import annotations

import functools
import types
import typing
from typing import Annotated, Literal, NotRequired, Required, get_args, get_origin

from django.db.models import Choices
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .rollup.types import AsMap, Format

_FORMATS = {
    "date": serializers.DateField,
    "date-time": serializers.DateTimeField,
    "decimal": functools.partial(serializers.DecimalField, max_digits=None, decimal_places=None, coerce_to_string=True),
}
_PLAIN = {str: serializers.CharField, int: serializers.IntegerField, float: serializers.FloatField}


def _field(hint, **kwargs) -> serializers.Field:
    origin = get_origin(hint)
    if origin in (Required, NotRequired):
        return _field(get_args(hint)[0], **kwargs)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in get_args(hint) if a is not type(None)]
        if len(args) != 1 or len(get_args(hint)) != 2:
            raise TypeError(f"only 'X | None' unions are supported, not {hint!r}")
        return _field(args[0], allow_null=True, **kwargs)
    if origin is Annotated:
        base, *metadata = get_args(hint)
        if AsMap in metadata:
            return _map_field(base, **kwargs)
        formats = [m for m in metadata if isinstance(m, Format)]
        if base is str and formats:
            return _FORMATS[str(formats[0])](**kwargs)
        return _field(base, **kwargs)
    if origin is Literal:
        return serializers.ChoiceField(choices=[(v, v) for v in get_args(hint)], **kwargs)
    if origin is list:
        (item,) = get_args(hint)
        if typing.is_typeddict(item):
            return serializer_for(item)(many=True, **kwargs)
        return serializers.ListField(child=_field(item), **kwargs)
    if typing.is_typeddict(hint):
        return serializer_for(hint)(**kwargs)
    if isinstance(hint, type) and issubclass(hint, Choices):
        return serializers.ChoiceField(choices=hint.choices, **kwargs)
    if hint is bool:  # before int: bool is an int
        return serializers.BooleanField(**kwargs)
    if hint in _PLAIN:
        return _PLAIN[hint](**kwargs)
    raise TypeError(f"no OpenAPI mapping for {hint!r}")


def _map_field(typed_dict: type, **kwargs) -> serializers.Field:
    """A TypedDict of string values (of one format) as an object of them, its keys required."""
    (value,) = set(typing.get_type_hints(typed_dict, include_extras=True).values())
    base, *metadata = get_args(value) if get_origin(value) is Annotated else (value,)
    if base is not str:
        raise TypeError(f"AsMap documents string values only, not {value!r}")
    formats = [str(m) for m in metadata if isinstance(m, Format)]
    keys = sorted(typed_dict.__required_keys__)
    schema = {
        "type": "object",
        "description": f"{(typed_dict.__doc__ or '').strip()} Keys: {', '.join(keys)}.".strip(),
        "required": keys,
        "additionalProperties": {"type": "string", **({"format": formats[0]} if formats else {})},
    }
    return extend_schema_field(schema)(serializers.DictField(child=serializers.CharField(), **kwargs))


@functools.cache
def serializer_for(typed_dict: type) -> type[serializers.Serializer]:
    """The serializer class documenting ``typed_dict`` (one class per TypedDict, so one component)."""
    hints = typing.get_type_hints(typed_dict, include_extras=True)
    fields = {name: _field(hint, required=name in typed_dict.__required_keys__) for name, hint in hints.items()}
    name = typed_dict.__name__ if typed_dict.__name__.startswith("Rollup") else f"Rollup{typed_dict.__name__}"
    return type(
        f"{name}Serializer",
        (serializers.Serializer,),
        {**fields, "__doc__": typed_dict.__doc__ or "", "__module__": __name__},
    )
