from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Pledge tracker"

    def ready(self) -> None:
        from tracker import signals  # noqa: F401  (connects the fixture guards)
