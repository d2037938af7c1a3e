"""Segment-compatible ingestion, mounted at ``/v1/`` (clients set their host to Paceline's URL)."""

from django.urls import path

from paceline.usage import endpoints

app_name = "ingest"
urlpatterns = [
    path("batch", endpoints.batch, name="batch"),
    path("import", endpoints.batch, name="import"),  # Segment's alias of batch
    path("track", endpoints.track, name="track"),
    path("identify", endpoints.identify, name="identify"),
    path("group", endpoints.group, name="group"),
    path("page", endpoints.page, name="page"),
    path("screen", endpoints.screen, name="screen"),
]
