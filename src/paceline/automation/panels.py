"""What automation adds to the account page and the book (through ``customers.extensions``)."""


def register() -> None:
    """Registered in ``AutomationConfig.ready``."""
