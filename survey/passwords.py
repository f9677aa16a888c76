"""What a password must be, in one place, for every way one is set: the command line, an
invitation or reset link, the first administrator of ``manyi init``.

At least :data:`MIN_LENGTH` characters, and not easy to guess by zxcvbn's estimate (score 3
of 4 or more; it knows the common-password lists, names, dictionary words, dates, keyboard
patterns and l33t substitutions, and the account's own username and name). The demo's
shared password is refused everywhere but in the demo itself, so a command never makes an
account that signing in would refuse. zxcvbn is Dropbox's estimator (Wheeler, "zxcvbn:
Low-Budget Password Strength Estimation", USENIX Security 2016); we write no list of our own.
"""

from zxcvbn import zxcvbn

from survey.errors import N_, FieldError

MIN_LENGTH = 12
MIN_SCORE = 3
MAX_LENGTH = 200
"""Longer passwords are refused (they cost argon2 nothing but zxcvbn time)."""


def password_problem(password: str, *, user_inputs: tuple[str, ...] = ()) -> FieldError | None:
    """What is wrong with ``password`` for an account known by ``user_inputs`` (its
    username and name), or ``None`` when it will do."""
    if len(password) < MIN_LENGTH:
        return FieldError(
            N_("A password has at least %(limit)s characters."), {"limit": MIN_LENGTH}
        )
    if len(password) > MAX_LENGTH:
        return FieldError(N_("A password has at most %(limit)s characters."), {"limit": MAX_LENGTH})
    estimate = zxcvbn(password, user_inputs=[value for value in user_inputs if value])
    if int(estimate["score"]) < MIN_SCORE:
        return FieldError(
            N_(
                "This password is too easy to guess (a common password, a word, a name, a "
                "date or a pattern). Use several unrelated words, or add more characters."
            )
        )
    return None
