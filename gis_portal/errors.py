"""Domain errors shared by every app.

A service raises :class:`DomainError` with a stable code and a message in Thai and English that a
person can act on; views, the API and management commands map it to their own output in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class DomainError(Exception):
    """A refused operation, with a machine code and a bilingual human message."""

    status_code = 400

    def __init__(self, code: str, message_en: str, message_th: str = "", **details: Any) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_en = message_en
        self.message_th = message_th or message_en
        self.details = details

    @property
    def message(self) -> str:
        """Both languages, Thai first, as shown to staff."""
        if self.message_th and self.message_th != self.message_en:
            return f"{self.message_th} / {self.message_en}"
        return self.message_en

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message_th": self.message_th,
            "message_en": self.message_en,
            **self.details,
        }

    def __str__(self) -> str:
        return self.message


class PermissionDeniedError(DomainError):
    status_code = 403


class NotFoundError(DomainError):
    status_code = 404


class ConflictError(DomainError):
    """The row changed since the caller read it (optimistic locking)."""

    status_code = 409


class InsufficientStorageError(DomainError):
    """The server's disk is full: nothing of the request was kept; the same request may be retried."""

    status_code = 507


def is_disk_full(exc: BaseException) -> bool:
    import errno

    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


def disk_full_error(what_en: str, what_th: str, **details: Any) -> InsufficientStorageError:
    """The error for an ENOSPC/EDQUOT while writing ``what``: clear, bilingual, retryable later."""
    return InsufficientStorageError(
        "disk_full",
        f"The server's storage is full: {what_en} was not saved. Nothing was kept; try again later "
        "or tell the system administrator",
        f"พื้นที่จัดเก็บของเซิร์ฟเวอร์เต็ม: {what_th} ยังไม่ได้บันทึก ไม่มีข้อมูลค้างอยู่ กรุณาลองใหม่ภายหลังหรือแจ้งผู้ดูแลระบบ",
        **details,
    )


@dataclass
class Problem:
    """One thing wrong with one input item (a feature of an import, a field of a form)."""

    item: str
    code: str
    message_en: str
    message_th: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        th = f" / {self.message_th}" if self.message_th else ""
        return f"{self.item}: [{self.code}] {self.message_en}{th}"


class ValidationProblems(DomainError):
    """Several problems found at once; nothing was written."""

    def __init__(self, problems: list[Problem], message_en: str = "", message_th: str = "") -> None:
        self.problems = problems
        super().__init__(
            "invalid_input",
            message_en or f"{len(problems)} problem(s) found; nothing was written",
            message_th or f"พบปัญหา {len(problems)} รายการ ไม่มีการบันทึกข้อมูลใด ๆ",
            problems=[p.__dict__ for p in problems],
        )
