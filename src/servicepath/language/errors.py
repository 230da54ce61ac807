"""Errors a pack author can meet in a rule, with the column where the problem is."""


class RuleError(Exception):
    def __init__(self, message: str, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


class RuleSyntaxError(RuleError):
    pass


class RuleTypeError(RuleError):
    pass
