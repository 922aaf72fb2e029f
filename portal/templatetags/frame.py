"""`{% per_request %}...{% endper_request %}`: a part of a page drawn on every request, also when
the rest of the page is a frame drawn once per process (portal.frames.render_framed)."""

from django import template
from django.template.base import Node, NodeList, Parser, Token

from portal.frames import HOLES, MARKER

register = template.Library()


class PerRequestNode(Node):
    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        holes = context.get(HOLES)
        if holes is None:  # an ordinary render(): drawn where it stands
            return self.nodelist.render(context)
        holes.append(self.nodelist)
        return MARKER


@register.tag
def per_request(parser: Parser, token: Token) -> PerRequestNode:
    nodelist = parser.parse(("endper_request",))
    parser.delete_first_token()
    return PerRequestNode(nodelist)
