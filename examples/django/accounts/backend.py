"""The authentication backend: mozilla-django-oidc's, with the groups claim mapped to
Django groups (the docs' "Additional optional configuration: custom user creation")."""
from django.conf import settings
from django.contrib.auth.models import Group
from mozilla_django_oidc.auth import OIDCAuthenticationBackend


def groups_from(claims):
    # JumpCloud sends one group as a string and several as an array.
    value = claims.get(settings.OIDC_GROUPS_CLAIM)
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(g) for g in value]


class GroupsOIDCBackend(OIDCAuthenticationBackend):
    def create_user(self, claims):
        user = super().create_user(claims)
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        user.first_name = claims.get("given_name", "")
        user.last_name = claims.get("family_name", "")
        user.save()
        user.groups.set(Group.objects.get_or_create(name=name)[0] for name in groups_from(claims))
        return user
