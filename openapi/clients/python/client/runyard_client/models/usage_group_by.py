from enum import StrEnum


class UsageGroupBy(StrEnum):
    DAY = "day"
    MODEL = "model"
    PROVIDER = "provider"
    TASK = "task"
    TYPE = "type"

    def __str__(self) -> str:
        return str(self.value)
