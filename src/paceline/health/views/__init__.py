"""Health pages: the account's manual read and score-now actions, the portfolio overview, and models."""
