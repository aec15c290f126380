"""Forms that create something do it once per form shown.

Each form page carries a one-time key (``form_key``), kept in the session for that form until it is
used, so a reload, a second tab or the browser's back button shows the form with the same key. The
view hands the key to ``submit_once`` with a function that creates the row: the key's row
(``FormSubmission``, unique) is inserted in the same transaction, so a second copy of the form --
sent again after going back, a double click, or two posts arriving together -- waits for the first
one, finds its key taken and gets the first submission's object instead of making a second.

A form whose key was used is shown again (for ``ONCE_REPLAY_MINUTES``) with that key and a note
saying it was sent (``IssuedKey.sent``), with a link to a fresh copy (``?new=1``) for a person who
really wants to send another.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from gis_portal.errors import ConflictError, DomainError

from .models import FormSubmission

SESSION_KEY = "once_forms"
KEY_MAX_LEN = 64
FORMS_KEPT = 30  # open forms remembered per session

M = TypeVar("M", bound=models.Model)


def replay_window() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "ONCE_REPLAY_MINUTES", 30)))


@dataclass(frozen=True)
class IssuedKey:
    """The key to put in the form; ``sent``: this form was already sent with it (and made ``sent``)."""

    key: str
    sent: FormSubmission | None = None


def form_key(request: HttpRequest, form: str, *, fresh: bool = False) -> IssuedKey:
    """The key of this form for this browser: the same one until it is used (and a while after)."""
    held: dict[str, str] = dict(request.session.get(SESSION_KEY) or {})
    key = None if fresh else held.get(form)
    if key:
        sent = FormSubmission.objects.filter(key=key, form=form).first()
        if sent is None:
            return IssuedKey(key)
        if sent.created_at >= timezone.now() - replay_window():
            return IssuedKey(key, sent)
    key = secrets.token_urlsafe(24)
    held.pop(form, None)
    held[form] = key
    request.session[SESSION_KEY] = dict(list(held.items())[-FORMS_KEPT:])
    return IssuedKey(key)


def _expired(error: type[DomainError] = DomainError) -> DomainError:
    return error("bad_form_key", "The form has expired; open it again.", "แบบฟอร์มหมดอายุ กรุณาเปิดใหม่")


def submit_once(*, key: str, form: str, create: Callable[[], M]) -> tuple[M, bool]:
    """``(object, True)`` made by ``create()``, or ``(the first submission's object, False)``.

    ``create`` runs inside the transaction that claims the key; if it raises, nothing is kept and
    the key can be used again (the person corrects the form and sends it).
    """
    if not isinstance(key, str) or not key or len(key) > KEY_MAX_LEN or "\x00" in key:
        raise _expired()
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = FormSubmission.objects.create(key=key, form=form)
        except IntegrityError:
            # Taken: by a submission that has committed (a concurrent one is waited for by the insert).
            return first_result(key=key, form=form), False
        obj = create()
        claim.object_label, claim.object_id = obj._meta.label, obj.pk
        claim.save(update_fields=["object_label", "object_id"])
    return obj, True


def first_result(*, key: str, form: str) -> Any:
    """What the first submission of this key made (a key of another form is refused as expired)."""
    claim = FormSubmission.objects.filter(key=key).first()
    if claim is None or claim.form != form or not claim.object_label:
        raise _expired(ConflictError)
    obj = apps.get_model(claim.object_label)._default_manager.filter(pk=claim.object_id).first()
    if obj is None:
        raise ConflictError(
            "form_already_sent",
            "This form was sent already; what it made has since been removed.",
            "แบบฟอร์มนี้ส่งไปแล้ว และรายการที่สร้างถูกลบไปแล้ว",
        )
    return obj
