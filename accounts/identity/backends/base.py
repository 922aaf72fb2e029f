class IdentityServiceUnavailable(Exception):
    """The identity service could not answer (down, timed out, misconfigured, nonsense)."""


class IdentityBackend:
    def mobile_belongs_to(self, *, national_code: str, mobile: str) -> bool:
        """True or False as the service says; raise IdentityServiceUnavailable otherwise."""
        raise NotImplementedError
