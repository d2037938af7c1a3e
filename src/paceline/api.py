"""The REST API's composition root: one NinjaAPI, a Router per app."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Paceline API",
    version="1",
    description="Customer success platform: accounts, people, contracts, timeline and tasks.",
    urls_namespace="api",
)
