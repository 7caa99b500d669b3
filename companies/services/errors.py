class CompanyError(Exception):
    """A business rule refused the action; the message is for the user."""


class InvitationLimitReached(CompanyError):
    """Too many invitations for now: pages and API answer 429."""
