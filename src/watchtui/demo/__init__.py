"""The scripted demo scenario behind ``watchtui demo``, the integration tests and the screenshots.

EVERYTHING HERE IS DEMO DATA.  The providers ("Demo Git", "Demo Edge", "Demo Pay", …), their
components, incidents and texts are fictional; every URL points at the reserved ``.example``
domain.  Only the *wire formats* are real: each payload is byte-for-byte what the real kind serves
(UTF-16BE with a BOM for the AWS Health ``currentevents`` array, Azure's RSS channel, Statuspage
``summary.json``/``incidents.json``, Google's ``incidents.json``, Slack's status API, a Statuspage
``history.rss``), so the real parsers and the real fetch layer are exercised end to end.

The story: a power event takes down one zone of a US-West cloud region.  The AWS-style cloud sees
it first (``us-west-2``), the GCP-style cloud opens an incident for ``us-west1``, the Azure-style
feed lists "West US 2" and then empties again, a CDN loses its Portland colo, and the services
hosted there (a code host, a payments API, a PaaS) degrade and recover one after the other.  A chat
service stays green throughout, and the PaaS's own status feed fails twice (a 503 and an HTML
challenge page) while its hosting is down.  Beside the feeds, the config carries three of the
user's own probes (``DEMO_PROBES``) against ``/probe/<id>`` on the same server, scripted to
disagree with the providers at times: the independent-signals feature.

The story is data (``story``, ``story_pages``, ``story_clouds``, ``probes``); the ``encode_*``
modules turn it into wire bytes; ``Scenario(start).payloads(step)`` is a pure function of
``start``, ``step_seconds`` and ``step``, and a source's bytes change only at the steps where its
story moves, so ETag/304 handling can be observed.  ``demo.config`` builds the demo's config,
``demo.server`` serves the payloads on loopback and ``demo.app`` runs ``watchtui demo``.
"""

from __future__ import annotations

from watchtui.demo.probes import DEMO_PROBES, DemoProbe
from watchtui.demo.scenario import Scenario
from watchtui.demo.story import DEMO_SOURCES, PEAK_STEP, STEPS, DemoSource
from watchtui.demo.wire import Payload

__all__ = [
    "DEMO_PROBES",
    "DEMO_SOURCES",
    "PEAK_STEP",
    "STEPS",
    "DemoProbe",
    "DemoSource",
    "Payload",
    "Scenario",
]
