from enum import StrEnum


class CommandStatus(StrEnum):
    ACKED = "acked"
    DELIVERED = "delivered"
    EXPIRED = "expired"
    PENDING = "pending"

    def __str__(self) -> str:
        return str(self.value)
