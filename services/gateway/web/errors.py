"""What a page raises instead of answering: the error page, or the way to sign in."""


class PageError(Exception):
    """Show the error page with this status and detail."""

    def __init__(self, status: int, detail: str = ""):
        super().__init__(detail)
        self.status = status
        self.detail = detail


class SignInRequired(Exception):
    """The page needs a signed-in person: go to the sign-in page and come back."""
