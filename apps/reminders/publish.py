"""Publishing one task message per patient, thousands at a time, on Redis.

`apply_async` costs about 1 ms per message here (option merging, routing,
argsrepr, signal dispatch, a new Redis client and a round trip per message), so
the 20:00 tick with ~13,000 due patients took 14 s. `tasks_publish` keeps the
contract of one broker message per task, each exactly as `apply_async` would
have written it, and makes each one cheap:

1. Celery builds one message for real: `apply_async` against a stand-in
   producer that keeps what it was asked to publish instead of sending it.
   Routing, headers, parent and root ids, reply_to and delivery mode are
   whatever Celery decides for this task in this context.
2. kombu's Redis channel wraps it as `basic_publish` and `_put` would
   (`prepare_message`, body encoding, delivery info, the priority's list),
   and it is serialised once, with stand-ins where messages differ.
3. Each message is that text with the stand-ins filled in: task id (also the
   correlation id, and the root id when the task is its own root), args,
   argsrepr, delivery tag.
4. One LPUSH per 1,000 messages: one round trip each, where kombu makes one
   per message. Workers pop them one by one, in the same order.

Whatever the template cannot reproduce faithfully falls back to the plain
`apply_async` loop: another transport (the demo's filesystem broker), eager
mode, publish signals or task-sent events someone subscribed to, a result
backend tracking calls, another serializer, compression, a non-default
exchange, an expiring queue or message, arguments other than ints.

A failed LPUSH is not retried here (one whose reply was lost may have landed);
the error propagates to the caller.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from itertools import islice

from celery import signals
from celery.backends.base import DisabledBackend
from kombu import serialization
from kombu.entity import maybe_delivery_mode
from kombu.utils.json import dumps

CHUNK = 1000

# The options Celery hands producer.publish() for a plainly routed task. Any
# other (e.g. "expiration" from expires=) is something the template would not carry.
_PLAIN_OPTIONS = frozenset(
    {
        "exchange",
        "routing_key",
        "serializer",
        "compression",
        "retry",
        "retry_policy",
        "delivery_mode",
        "declare",
        "headers",
        "timeout",
        "confirm_timeout",
        "correlation_id",
        "reply_to",
        "priority",
    }
)
_PUBLISH_SIGNALS = (
    signals.before_task_publish,
    signals.after_task_publish,
    signals.task_sent,
)
# The stand-ins' names; each gets a fresh UUID per template.
_FIELDS = ("id", "tag", "args", "body")


def tasks_publish(task, arg_lists: Sequence[Sequence[int]], *, producer) -> int:
    """Send `task` once per entry of `arg_lists` (its positional args) through `producer`.

    Returns how many went out pipelined; 0 means each went through apply_async.
    """
    if not arg_lists:
        return 0
    template = None
    if _pipelinable(task, producer, arg_lists):
        template = _template(task, producer, arg_lists[0])
    if template is None:
        for args in arg_lists:
            task.apply_async(args=list(args), producer=producer)
        return 0
    for entity in template.declare:  # as send_task_message has publish() do
        producer.maybe_declare(entity)
    # One client for the run: kombu's _put makes a new one per message.
    with producer.channel.conn_or_acquire() as client:
        rest = iter(arg_lists)
        while chunk := list(islice(rest, CHUNK)):
            ids = _uuid4s(2 * len(chunk))
            client.lpush(
                template.key,
                *[
                    template.payload(args, ids[2 * i], ids[2 * i + 1])
                    for i, args in enumerate(chunk)
                ],
            )
    return len(arg_lists)


def _pipelinable(task, producer, arg_lists) -> bool:
    # kombu's verdict that the transport can batch and (for Redis) that the
    # client never replays a write; False for the filesystem broker.
    if not getattr(producer, "supports_batch_publish", False):
        return False
    from kombu.transport import redis as redis_transport

    app = task.app
    return (
        isinstance(producer.channel, redis_transport.Channel)
        and not app.conf.task_always_eager
        and not app.conf.task_send_sent_event
        and not any(signal.has_listeners() for signal in _PUBLISH_SIGNALS)
        # ints print the same in JSON, repr() and Celery's saferepr().
        and all(type(a) is int for args in arg_lists for a in args)
    )


class _Capture:
    """Stands in for the producer in one apply_async: keeps what Celery would publish."""

    def __init__(self, producer):
        self.connection = producer.connection
        self.published: list[tuple[object, dict]] = []

    def publish(self, body, **options):
        self.published.append((body, options))


def _template(task, producer, args: Sequence[int]) -> _Template | None:
    capture = _Capture(producer)
    # Not added to a parent's trail: this message is never sent as such.
    task.apply_async(args=list(args), producer=capture, add_to_parent=False)
    if len(capture.published) != 1:
        return None
    body, options = capture.published[0]
    channel = producer.channel
    plain = (
        set(options) <= _PLAIN_OPTIONS
        and options["exchange"] == ""  # a direct queue: Celery's default routing
        and options["serializer"] == "json"
        and channel.body_encoding == "base64"  # the Redis channel's default
        and not options.get("compression")
        and isinstance(body, tuple)  # task protocol 2: (args, kwargs, embed)
        and len(body) == 3
        and options["routing_key"] not in channel._expires
        and len(repr(list(args))) <= task.app.amqp.argsrepr_maxsize
        and (
            options["headers"]["ignore_result"]
            or isinstance(task.app.backend, DisabledBackend)
        )
    )
    return _Template(channel, body, options) if plain else None


class _Template:
    """One message as Celery and kombu built it, serialised with stand-ins where
    two apply_async calls differ."""

    def __init__(self, channel, body, options: dict):
        self.declare = options.get("declare") or []
        headers = options["headers"]
        # Without a parent task a message is its own root; under one (the
        # dispatcher run by a worker) the root is the parent's, the same for all.
        own_root = headers["root_id"] == headers["id"]
        # Stand-ins as unique as task ids, and like them untouched by JSON.
        mark = dict(zip(_FIELDS, _uuid4s(len(_FIELDS)), strict=True))
        headers = {**headers, "id": mark["id"], "argsrepr": mark["args"]}
        if own_root:
            headers["root_id"] = mark["id"]
        # The body, [args, kwargs, embed] as the json serializer writes it (with
        # kombu's dumps), args written in per message.
        content_type, content_encoding, data = serialization.dumps(
            (mark["args"], *body[1:]), serializer="json"
        )
        self._body_before, self._body_after = data.split(f'"{mark["args"]}"')
        message = channel.prepare_message(
            data,
            options.get("priority", 0),  # Producer.publish's default
            content_type,
            content_encoding,
            headers,
            {
                "correlation_id": mark["id"],
                "reply_to": options.get("reply_to"),
                "delivery_mode": maybe_delivery_mode(options.get("delivery_mode")),
            },
        )
        # What Channel.basic_publish adds: encoded body, delivery tag, routing.
        channel._inplace_augment_message(message, "", options["routing_key"])
        # base64, checked in _template(): the result needs no escaping in JSON.
        self._encode = channel.codecs[message["properties"]["body_encoding"]].encode
        message["body"] = mark["body"]
        message["properties"]["delivery_tag"] = mark["tag"]
        # Channel._put: the list for the message's priority.
        self.key = channel._q_for_pri(
            options["routing_key"],
            channel._get_message_priority(message, reverse=False),
        )
        text = dumps(message)  # as Channel._put serialises it
        counts = {name: text.count(mark[name]) for name in _FIELDS}
        if counts != {"id": 2 + own_root, "tag": 1, "args": 1, "body": 1}:
            raise ValueError(f"unexpected message layout: {text}")
        # A str.format() pattern: braces doubled, stand-ins as {id}, {tag}, ...
        self._format = text.replace("{", "{{").replace("}", "}}")
        for name in _FIELDS:
            self._format = self._format.replace(mark[name], f"{{{name}}}")

    def payload(self, args: Sequence[int], task_id: str, delivery_tag: str) -> str:
        """The message apply_async(args=args, task_id=task_id) would push."""
        text = repr(list(args))  # == its JSON == Celery's argsrepr, for ints
        return self._format.format(
            id=task_id,
            tag=delivery_tag,
            args=text,
            body=self._encode(self._body_before + text + self._body_after),
        )


def _uuid4s(n: int) -> list[str]:
    """`n` random UUID4 strings, as uuid.uuid4() makes them, from one urandom() call.

    Celery makes task ids and kombu delivery tags with str(uuid4()); at 5 µs
    each that was an eighth of a tick.
    """
    raw = bytearray(os.urandom(16 * n))
    raw[6::16] = bytes(b & 0x0F | 0x40 for b in raw[6::16])  # version 4
    raw[8::16] = bytes(b & 0x3F | 0x80 for b in raw[8::16])  # RFC 4122 variant
    h = raw.hex()
    return [
        f"{h[i : i + 8]}-{h[i + 8 : i + 12]}-{h[i + 12 : i + 16]}-{h[i + 16 : i + 20]}-{h[i + 20 : i + 32]}"
        for i in range(0, 32 * n, 32)
    ]
