"""Pages of the meetups app.

A meeting has a venue (``where``), the topics presented there and the
sponsors who paid for the pizza. The past meetings page lists all of them,
oldest first, with their venue, topics and sponsors.
"""

from django.utils import timezone
from django.views.generic import DetailView, ListView

from .models import Meeting


class MeetingDetailView(DetailView):
    """One meeting, with its venue, its topics and its sponsors."""

    model = Meeting
    template_name = "meetups/meeting_detail.html"
    context_object_name = "meeting"


class PastMeetingsView(ListView):
    """Every meeting that already took place, oldest first."""

    template_name = "meetups/past_meetings.html"
    context_object_name = "meetings"

    def get_queryset(self):
        return Meeting.objects.filter(when__lt=timezone.now()).order_by("when").select_related("where").prefetch_related("topics", "meeting_sponsors")
