from paceline.engagement import urls_cockpit, urls_relationship

app_name = "engagement"
urlpatterns = urls_relationship.urlpatterns + urls_cockpit.urlpatterns
