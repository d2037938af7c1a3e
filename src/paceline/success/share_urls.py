"""Sharing a plan with the customer (links and the public page) and exporting it."""

from django.urls import path

from paceline.success.views import exports, share

app_name = "sharing"

urlpatterns = [
    path("plans/<int:plan_id>/share-links/", share.share_links, name="links"),
    path("plans/<int:plan_id>/share-links/<int:link_id>/revoke/", share.share_link_revoke, name="revoke"),
    path("shared/<str:token>/", share.shared_plan, name="shared"),
    path("plans/<int:plan_id>/export.pdf", exports.export_pdf, name="export_pdf"),
    path("plans/<int:plan_id>/export.csv", exports.export_csv, name="export_csv"),
    path("plans/<int:plan_id>/commitments.csv", exports.commitments_csv, name="commitments_csv"),
]
