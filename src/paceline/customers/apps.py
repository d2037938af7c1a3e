from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "paceline.customers"
    label = "customers"
    verbose_name = "Customers"
