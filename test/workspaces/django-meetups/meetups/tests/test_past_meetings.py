"""The past meetings page lists every past meeting with its venue, topics and sponsors."""

import datetime

from django.test import TestCase
from django.urls import reverse

from meetups.models import Meeting, Sponsor, Topic, Venue

PAST_MEETINGS = 500


def create_past_meetings(count=PAST_MEETINGS):
    """Create `count` weekly meetings in the past, each at a venue of its own,
    with two topics and one sponsor taken from small shared pools."""
    first = datetime.datetime(2012, 1, 12, 18, 0, tzinfo=datetime.timezone.utc)
    topics = Topic.objects.bulk_create(Topic(title=f"Talk number {n}") for n in range(1, 41))
    sponsors = Sponsor.objects.bulk_create(Sponsor(name=f"Sponsor {n}") for n in range(1, 11))
    venues = Venue.objects.bulk_create(
        Venue(name=f"Venue {n}", address=f"{n} W Madison St, Chicago, IL") for n in range(1, count + 1)
    )
    meetings = Meeting.objects.bulk_create(
        Meeting(when=first + datetime.timedelta(weeks=n), title=f"Meetup #{n + 1}", where=venue)
        for n, venue in enumerate(venues)
    )
    Meeting.topics.through.objects.bulk_create(
        Meeting.topics.through(meeting_id=meeting.pk, topic_id=topics[(2 * n + k) % len(topics)].pk)
        for n, meeting in enumerate(meetings)
        for k in range(2)
    )
    Meeting.meeting_sponsors.through.objects.bulk_create(
        Meeting.meeting_sponsors.through(meeting_id=meeting.pk, sponsor_id=sponsors[n % len(sponsors)].pk)
        for n, meeting in enumerate(meetings)
    )
    return meetings


class TestPastMeetings(TestCase):
    @classmethod
    def setUpTestData(cls):
        create_past_meetings()

    def test_lists_past_meetings(self):
        response = self.client.get(reverse("past-meetings"))

        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(response.context["meetings"]), PAST_MEETINGS)
        self.assertContains(response, "Meetup #1<")
        self.assertContains(response, "Venue 500")
