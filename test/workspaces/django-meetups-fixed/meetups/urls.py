from django.urls import path

from .views import MeetingDetailView, PastMeetingsView

urlpatterns = [
    path("meetings/<int:pk>/", MeetingDetailView.as_view(), name="meeting-detail"),
    path("meetings/past/", PastMeetingsView.as_view(), name="past-meetings"),
]
