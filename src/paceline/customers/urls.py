from django.urls import path

from paceline.customers.views import (
    account,
    accounts,
    book,
    contacts,
    interactions,
    subscriptions,
    tasks,
)

app_name = "customers"

urlpatterns = [
    path("book/", book.book, name="book"),
    path("accounts/new/", accounts.account_new, name="account_new"),
    path("accounts/<int:pk>/", account.account_detail, name="account"),
    path("accounts/<int:pk>/timeline/", account.timeline, name="timeline"),
    path("accounts/<int:pk>/edit/", accounts.account_edit, name="account_edit"),
    path("accounts/<int:pk>/delete/", accounts.account_delete, name="account_delete"),
    path("accounts/<int:pk>/contacts/new/", contacts.contact_new, name="contact_new"),
    path("accounts/<int:pk>/contacts/<int:contact_id>/edit/", contacts.contact_edit, name="contact_edit"),
    path("accounts/<int:pk>/contacts/<int:contact_id>/left/", contacts.contact_left, name="contact_left"),
    path("accounts/<int:pk>/subscriptions/new/", subscriptions.subscription_new, name="subscription_new"),
    path(
        "accounts/<int:pk>/subscriptions/<int:subscription_id>/edit/",
        subscriptions.subscription_edit,
        name="subscription_edit",
    ),
    path(
        "accounts/<int:pk>/subscriptions/<int:subscription_id>/renewal/",
        subscriptions.subscription_renewal,
        name="subscription_renewal",
    ),
    path("accounts/<int:pk>/interactions/new/", interactions.interaction_new, name="interaction_new"),
    path(
        "accounts/<int:pk>/interactions/<int:interaction_id>/edit/",
        interactions.interaction_edit,
        name="interaction_edit",
    ),
    path("accounts/<int:pk>/tasks/new/", tasks.task_new, name="task_new"),
    path("accounts/<int:pk>/tasks/<int:task_id>/edit/", tasks.task_edit, name="task_edit"),
    path("accounts/<int:pk>/tasks/<int:task_id>/complete/", tasks.task_complete, name="task_complete"),
]
