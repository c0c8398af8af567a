"""The meetups models as abstract classes, in django-oscar's style: a project that forks the app
subclasses them in its own models.py, and the app's models.py declares the concrete ones only when
the project did not."""

from django.db import models


class AbstractVenue(models.Model):
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=500, blank=True)

    class Meta:
        abstract = True
        app_label = "meetups"

    def __str__(self):
        return self.name


class AbstractTopic(models.Model):
    title = models.CharField(max_length=300)

    class Meta:
        abstract = True
        app_label = "meetups"

    def __str__(self):
        return self.title


class AbstractSponsor(models.Model):
    name = models.CharField(max_length=200)

    class Meta:
        abstract = True
        app_label = "meetups"

    def __str__(self):
        return self.name


class AbstractMeeting(models.Model):
    when = models.DateTimeField()
    title = models.CharField(max_length=300, blank=True)
    where = models.ForeignKey("meetups.Venue", on_delete=models.PROTECT, related_name="meetings")
    topics = models.ManyToManyField("meetups.Topic", related_name="meetings", blank=True)
    meeting_sponsors = models.ManyToManyField("meetups.Sponsor", related_name="meetings", blank=True)

    class Meta:
        abstract = True
        app_label = "meetups"

    def __str__(self):
        return self.title or f"Meeting on {self.when:%Y-%m-%d}"
