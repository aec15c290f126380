"""SMS senders: a small base class and a registry chosen by ``ESERVICES_SMS_BACKEND``.

``console`` writes the message to the log (development); ``memory`` keeps messages in
:data:`MemorySmsBackend.outbox` (tests). A real gateway is a subclass registered under a name,
or a dotted path to a class.
"""

from __future__ import annotations

import logging
from importlib import import_module
from typing import ClassVar

logger = logging.getLogger("eservices.sms")


class SmsBackend:
    """Send one text message to one Thai mobile number; raise on failure."""

    def send(self, phone: str, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


class MemorySmsBackend(SmsBackend):
    outbox: ClassVar[list[tuple[str, str]]] = []

    def send(self, phone: str, text: str) -> None:
        MemorySmsBackend.outbox.append((phone, text))


REGISTRY: dict[str, type[SmsBackend]] = {"console": ConsoleSmsBackend, "memory": MemorySmsBackend}


def register(name: str, backend: type[SmsBackend]) -> None:
    REGISTRY[name] = backend


def get_backend(name: str | None = None) -> SmsBackend:
    from . import conf

    name = name or conf.SMS_BACKEND
    if name in REGISTRY:
        return REGISTRY[name]()
    module_name, _, class_name = name.rpartition(".")
    if not module_name:
        raise LookupError(f"Unknown SMS backend {name!r}; known: {sorted(REGISTRY)}")
    return getattr(import_module(module_name), class_name)()
