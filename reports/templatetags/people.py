from django import template

from projects.names import person_name

register = template.Library()


@register.filter
def person(user) -> str:
    """A user's name as people write it (赵磊, Lin Wei)."""
    return person_name(user)
