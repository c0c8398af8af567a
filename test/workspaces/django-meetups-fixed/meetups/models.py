"""The meetups of a user group: where they happen, what is talked about, who pays."""

from django.db import models


class Venue(models.Model):
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=500, blank=True)

    def __str__(self):
        return self.name


class Topic(models.Model):
    title = models.CharField(max_length=300)

    def __str__(self):
        return self.title


class Sponsor(models.Model):
    name = models.CharField(max_length=200)

    def __str__(self):
        return self.name


class Meeting(models.Model):
    when = models.DateTimeField()
    title = models.CharField(max_length=300, blank=True)
    where = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="meetings")
    topics = models.ManyToManyField(Topic, related_name="meetings", blank=True)
    meeting_sponsors = models.ManyToManyField(Sponsor, related_name="meetings", blank=True)

    def __str__(self):
        return self.title or f"Meeting on {self.when:%Y-%m-%d}"
