"""Outbound HTTPS calls to the services the portal depends on (SMS gateway, identity service)."""

import urllib.request


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """Treats a redirect as a failure.

    A service that redirects is misconfigured; following would turn a POST into a GET and carry
    the bearer token to wherever the Location points.
    """

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the 3xx then surfaces as an HTTPError


# urllib verifies TLS certificates and host names against the system's CAs by default.
opener = urllib.request.build_opener(_RefuseRedirects)
