"""Aspirations filed on a channel go to the aspirations service's intake queue, as the gateway
puts a citizen's there: each waits in `aspiration_forwards` (committed with the group's message
and our answer) until the broker confirmed it; a crash in between sends it again, and intake ignores
a tracking code it has."""
import json
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.channels.models import AspirationForward, Channel
from services.channels.subscriptions import ERASED
from services.common import broker
from services.common.bus import ConfirmedPublisher, OutgoingMessage
from services.common.events import utcnow

log = logging.getLogger(__name__)

INTAKE_QUEUE = "aspirations.intake"


def forward(session: Session, publisher: ConfirmedPublisher, queue_type: str, limit: int = 100) -> int:
    waiting = session.scalars(select(AspirationForward).where(AspirationForward.sent_at.is_(None))
                              .order_by(AspirationForward.created_at).limit(limit)
                              .with_for_update(skip_locked=True)).all()
    if not waiting:
        return 0
    publisher.declare_queue(INTAKE_QUEUE, broker.durable_arguments(queue_type), exchange=INTAKE_QUEUE)
    publisher.publish([OutgoingMessage(exchange=INTAKE_QUEUE, routing_key=INTAKE_QUEUE,
                                       body=json.dumps(row.submission).encode(), headers={},
                                       message_id=row.submission["id"]) for row in waiting])
    now = utcnow()
    # a channel erased while its aspiration waited: the text goes, then is forgotten here (privacy.erase)
    erased = set(session.scalars(select(Channel.id).where(
        Channel.id.in_({row.channel_id for row in waiting}), Channel.paused_reason == ERASED)))
    for row in waiting:
        row.sent_at = now
        if row.channel_id in erased:
            row.submission = {}
    return len(waiting)
