from enum import StrEnum


class EventSource(StrEnum):
    JOB = "job"
    TASK = "task"

    def __str__(self) -> str:
        return str(self.value)
