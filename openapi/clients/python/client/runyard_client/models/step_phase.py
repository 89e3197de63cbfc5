from enum import StrEnum


class StepPhase(StrEnum):
    CLEANUP = "CLEANUP"
    EXECUTION = "EXECUTION"
    SETUP = "SETUP"
    VALIDATION = "VALIDATION"

    def __str__(self) -> str:
        return str(self.value)
