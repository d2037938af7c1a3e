from ninja import Router

router = Router(tags=["My work"])
