"""The meetups of a user group: where they happen, what is talked about, who pays. Each model is
declared here unless a project that forks the app declared its own (django-oscar's style)."""

from meetups.abstract_models import *  # noqa: F401,F403
from meetups.loading import is_model_registered

__all__ = []


if not is_model_registered("meetups", "Venue"):

    class Venue(AbstractVenue):
        pass

    __all__.append("Venue")


if not is_model_registered("meetups", "Topic"):

    class Topic(AbstractTopic):
        pass

    __all__.append("Topic")


if not is_model_registered("meetups", "Sponsor"):

    class Sponsor(AbstractSponsor):
        pass

    __all__.append("Sponsor")


if not is_model_registered("meetups", "Meeting"):

    class Meeting(AbstractMeeting):
        pass

    __all__.append("Meeting")
