"""The engagement API: touchpoint plans, touchpoints, resources and needs, and my work."""

from ninja import Router

from paceline.engagement.api_cockpit import router as cockpit_router

router = Router(tags=["Engagement"])
router.add_router("/", cockpit_router)
