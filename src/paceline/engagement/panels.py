"""What engagement adds to the account page and the book (through ``customers.extensions``)."""


def register() -> None:
    """Registered in ``EngagementConfig.ready``."""
