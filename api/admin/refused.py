"""A set-up form that was refused, to be shown again as it was typed."""


class Refused:
    """A form that was refused: which one (``form``), what was typed and the messages."""

    def __init__(self, form: str, values: dict[str, str], errors: dict[str, str]) -> None:
        self.form, self.values, self.errors = form, values, errors
