from django.apps import AppConfig


class LearningConfig(AppConfig):
    """Learning across incidents: comments and mentions, search, insights,
    recurring factors and shareable redacted copies."""

    name = "postmortems.learning"
    label = "learning"
    verbose_name = "Learning"
