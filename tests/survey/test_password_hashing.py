"""Passwords are argon2id hashes at the standard cost; only the test suite may lower it."""

import subprocess
import sys

from survey.accounts import hash_password


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter, as a deployment would import the domain."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


def test_a_deployment_hashes_at_the_standard_cost() -> None:
    """Outside pytest a new hash costs 3 passes over 64 MiB with 4 lanes (argon2-cffi's
    RFC 9106 low-memory profile), whatever the test suite does in its own process."""
    result = run_python("from survey.accounts import hash_password; print(hash_password('x'))")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_a_deployment_cannot_switch_to_cheap_hashes() -> None:
    result = run_python(
        "from survey.accounts import use_fast_password_hashing_in_tests as cheap; cheap()"
    )
    assert result.returncode != 0
    assert "cheap password hashes are for the test suite only" in result.stderr


def test_the_suite_hashes_cheaply_and_verifies_standard_hashes() -> None:
    """The suite's own hashes are cheap; a standard hash made elsewhere still verifies."""
    from survey import accounts

    assert hash_password("x").startswith("$argon2id$v=19$m=8,t=1,p=1$")
    standard = run_python("from survey.accounts import hash_password; print(hash_password('pw'))")
    assert accounts._password_hash.verify("pw", standard.stdout.strip())
