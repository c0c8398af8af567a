"""URL configuration for the meetupsite project."""

from django.urls import include, path

urlpatterns = [
    path("", include("meetups.urls")),
]
