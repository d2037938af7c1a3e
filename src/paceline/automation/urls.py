from django.urls import path

from paceline.automation.views import account, channels, playbooks, rules

app_name = "automation"

urlpatterns = [
    path("", rules.rule_list, name="rules"),
    path("rules/new/", rules.rule_new, name="rule_new"),
    path("rules/run-now/", rules.rules_run_now, name="rules_run_now"),
    path("rules/editor/trigger/", rules.trigger_params, name="trigger_params"),
    path("rules/editor/action/<int:row>/", rules.action_params, name="action_params"),
    path("rules/<int:rule_id>/", rules.rule_detail, name="rule"),
    path("rules/<int:rule_id>/edit/", rules.rule_edit, name="rule_edit"),
    path("rules/<int:rule_id>/toggle/", rules.rule_toggle, name="rule_toggle"),
    path("rules/<int:rule_id>/delete/", rules.rule_delete, name="rule_delete"),
    path("playbooks/", playbooks.playbook_list, name="playbooks"),
    path("playbooks/new/", playbooks.playbook_new, name="playbook_new"),
    path("playbooks/<int:playbook_id>/", playbooks.playbook_detail, name="playbook"),
    path("playbooks/<int:playbook_id>/edit/", playbooks.playbook_edit, name="playbook_edit"),
    path("playbooks/<int:playbook_id>/delete/", playbooks.playbook_delete, name="playbook_delete"),
    path("runs/<int:run_id>/cancel/", playbooks.run_cancel, name="run_cancel"),
    path("channels/", channels.channel_list, name="channels"),
    path("channels/new/", channels.channel_new, name="channel_new"),
    path("channels/<int:channel_id>/edit/", channels.channel_edit, name="channel_edit"),
    path("channels/<int:channel_id>/deactivate/", channels.channel_deactivate, name="channel_deactivate"),
    path("channels/<int:channel_id>/test/", channels.channel_test, name="channel_test"),
    path("deliveries/", channels.delivery_list, name="deliveries"),
    path("deliveries/<int:delivery_id>/", channels.delivery_detail, name="delivery"),
    path("deliveries/<int:delivery_id>/retry/", channels.delivery_retry, name="delivery_retry"),
    path("accounts/<int:pk>/snoozes/", account.snooze_set, name="snooze_set"),
    path("accounts/<int:pk>/snoozes/<int:snooze_id>/clear/", account.snooze_clear, name="snooze_clear"),
    path("accounts/<int:pk>/playbooks/", account.playbook_start, name="playbook_start"),
]
