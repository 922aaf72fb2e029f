"""For tests: the pairs in `registered`; `unavailable = True` makes every question fail."""

from accounts.identity.backends import base

registered: set[tuple[str, str]] = set()
unavailable = False
asked: list[tuple[str, str]] = []


def register(national_code: str, mobile: str) -> None:
    registered.add((national_code, mobile))


def reset() -> None:
    global unavailable
    registered.clear()
    asked.clear()
    unavailable = False


class IdentityBackend(base.IdentityBackend):
    def mobile_belongs_to(self, *, national_code: str, mobile: str) -> bool:
        asked.append((national_code, mobile))
        if unavailable:
            raise base.IdentityServiceUnavailable("the test made the service unavailable")
        return (national_code, mobile) in registered
