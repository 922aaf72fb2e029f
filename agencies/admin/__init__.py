"""The data-protection committee's and IT operators' screens.

Committee reviewers review requests and record, suspend, reinstate and end MoUs; operators see
MoUs, grant staff lists and remove access. Every change goes through `agencies.services`; the
records themselves are read-only here. Agency users and citizens are not staff and never
reach the admin; the role checks also keep committee and operator screens apart.

`requests`: the committee's review of agency requests; `mous`: agencies and MoUs; `staff`: IT's
staff lists, memberships and removal requests; `api_clients`: approving agencies' API
clients. Importing this package (the admin's autodiscovery does) registers them all.
"""

from agencies.admin import api_clients, mous, requests, staff

__all__ = ["api_clients", "mous", "requests", "staff"]
