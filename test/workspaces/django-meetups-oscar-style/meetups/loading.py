"""Whether a project already registered a model of an app (django-oscar's oscar.core.loading)."""

from django.apps import apps


def is_model_registered(app_label, model_name):
    """True when a model of that name is registered for the app: a fork declared it first."""
    try:
        apps.get_registered_model(app_label, model_name)
    except LookupError:
        return False
    else:
        return True
