from enum import StrEnum


class StepType(StrEnum):
    AI_ACTION = "AI_ACTION"
    ARTIFACT = "ARTIFACT"
    COMMAND = "COMMAND"
    GATE = "GATE"

    def __str__(self) -> str:
        return str(self.value)
