"""A compiled response parser for AWS's JSON protocol (ECS, CloudWatch Logs, SQS).

botocore walks every value of a response through its shape model, one method call per
value. A FilterLogEvents page of 2,000 events or a DescribeServices page with its events
and deployments is tens of thousands of calls: 20-80 ms of CPU on the console's event
loop per page, which is what made key presses wait while logs were ingested.

Here the walk is compiled once per output shape into nested closures that touch only
what needs converting (timestamps, blobs, nulls to drop). A structure whose subtree
holds nothing to convert is returned as ``json.loads`` made it (nulls dropped by an
object hook, as botocore drops them). The one difference from botocore, harmless to
callers that read the keys they know: members the client's model does not know are kept. Anything unusual (renamed members,
tagged unions, recursive shapes) falls back to botocore's own walk for that subtree.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aiobotocore.parsers import AioJSONParser, AioResponseParserFactory
from botocore.model import Shape

Converter = Callable[[Any], Any]

# id(shape) -> (shape, converter or None for "as is"); the shape is held so its id stays unique.
_COMPILED: dict[int, tuple[Shape, Converter | None]] = {}


def _drop_nulls(obj: dict[str, Any]) -> dict[str, Any]:
    """``json.loads`` object hook: botocore leaves out members that arrive as null."""
    if None in obj.values():
        return {k: v for k, v in obj.items() if v is not None}
    return obj


def _compile(shape: Shape, parser: AioJSONParser, active: set[str]) -> Converter | None:
    """The converter for ``shape``, or None when the JSON value is already the parsed value."""
    kind = shape.type_name
    if kind == "timestamp":
        parse_ts = parser._timestamp_parser
        return lambda v: None if v is None else parse_ts(v)
    if kind == "blob":
        parse_blob = parser._blob_parser
        return lambda v: None if v is None else parse_blob(v)
    if kind == "list":
        item = _compile(shape.member, parser, active)  # type: ignore[attr-defined]
        if item is None:
            return None  # botocore keeps null items of lists too
        return lambda v: None if v is None else [None if x is None else item(x) for x in v]
    if kind == "map":
        value_conv = _compile(shape.value, parser, active)  # type: ignore[attr-defined]
        if value_conv is None:
            return None
        return lambda v: None if v is None else {k: value_conv(x) for k, x in v.items()}
    if kind != "structure":
        return None  # strings, numbers, booleans: json.loads already made them
    if shape.is_document_type:
        return None
    members = shape.members  # type: ignore[attr-defined]
    renamed = any(m.serialization.get("name", n) != n for n, m in members.items())
    if shape.is_tagged_union or renamed or shape.name in active:
        return lambda v: parser._parse_shape(shape, v)
    active.add(shape.name)
    try:
        convs = tuple(
            (name, conv)
            for name, member in members.items()
            if (conv := _compile(member, parser, active)) is not None
        )
    finally:
        active.discard(shape.name)
    if not convs:
        return None

    def structure(value: Any) -> Any:
        if value is None:
            return None
        for name, conv in convs:
            member = value.get(name)
            if member is not None:
                value[name] = conv(member)
        return value

    return structure


def converter_for(shape: Shape, parser: AioJSONParser) -> Converter | None:
    entry = _COMPILED.get(id(shape))
    if entry is None:
        entry = (shape, _compile(shape, parser, set()))
        _COMPILED[id(shape)] = entry
    return entry[1]


class CompiledJSONParser(AioJSONParser):  # type: ignore[misc]
    """botocore's JSON parser with the body walk replaced by a compiled converter."""

    def _parse_body_as_json(self, body_contents: bytes) -> Any:
        if not body_contents:
            return {}
        body = body_contents.decode(self.DEFAULT_ENCODING)
        try:
            return json.loads(body, object_hook=_drop_nulls)
        except ValueError:
            return {"message": body}  # as botocore: a body that is not JSON becomes the message

    def _handle_json_body(self, raw_body: bytes, shape: Shape) -> Any:
        parsed = self._parse_body_as_json(raw_body)
        if shape is None:
            return parsed
        conv = converter_for(shape, self)
        if conv is None:
            return parsed
        return conv(parsed)


class CompiledParserFactory(AioResponseParserFactory):  # type: ignore[misc]
    """aiobotocore's parser factory, handing out :class:`CompiledJSONParser` for ``json``."""

    def create_parser(self, protocol_name: str) -> Any:
        if protocol_name == "json":
            return CompiledJSONParser(**self._defaults)
        return super().create_parser(protocol_name)
