"""Workflows declared once: which action moves an object from which states to which.

The services refuse an action the table does not allow, the admin shows a button only for the
actions it allows, and the tests' state matrix is read from it, so the three cannot drift apart.
"""

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    # Why the action is refused from any other state, as the person who tried it reads it.
    refusal: str | Promise
