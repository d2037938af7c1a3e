"""Authentication backend that turns roles into Django permissions.

CS leaders administer everything, so they hold every permission (the Django admin included);
CSMs and viewers hold none there: their rights are checked by ``users.permissions``.
"""

from django.contrib.auth.backends import ModelBackend


class RoleBackend(ModelBackend):
    def has_perm(self, user_obj, perm, obj=None):
        if getattr(user_obj, "is_leader", False):
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label):
        if getattr(user_obj, "is_leader", False):
            return True
        return super().has_module_perms(user_obj, app_label)
