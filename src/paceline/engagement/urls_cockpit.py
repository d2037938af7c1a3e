"""My work: the cockpit at /work/ and its one-click actions."""

from django.urls import path

from paceline.engagement.views import cockpit

urlpatterns = [
    path("work/", cockpit.work, name="work"),
    path("work/team/", cockpit.work, {"team": True}, name="work_team"),
    path("work/tasks/<int:pk>/complete/", cockpit.task_complete, name="work_task_complete"),
    path("work/tasks/<int:pk>/snooze/", cockpit.task_snooze, name="work_task_snooze"),
    path("work/tasks/<int:pk>/reassign/", cockpit.task_reassign, name="work_task_reassign"),
    path("work/touchpoints/<int:pk>/complete/", cockpit.touchpoint_complete, name="work_touchpoint_complete"),
    path("work/touchpoints/<int:pk>/reassign/", cockpit.touchpoint_reassign, name="work_touchpoint_reassign"),
]
