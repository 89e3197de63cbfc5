from enum import StrEnum


class FailureKind(StrEnum):
    APPROVAL_TIMEOUT = "approval_timeout"
    CANCELLED = "cancelled"
    ERROR = "error"
    LEASE_EXPIRED = "lease_expired"
    MAX_ATTEMPTS = "max_attempts"
    REJECTED = "rejected"
    SUSPEND_TIMEOUT = "suspend_timeout"
    TIMEOUT = "timeout"

    def __str__(self) -> str:
        return str(self.value)
