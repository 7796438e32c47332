"""The session per worker: committed before the reply, rolled back on error."""
import pytest
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ServiceRpcProxy

from services.common.tests import sample
from services.common.tests.helpers import count


def test_rpc_commits_before_replying_and_rolls_back_on_error(databases, amqp_uri, container_factory):
    url = databases("producer")
    container = container_factory(sample.ProducerService, sample.config(url, amqp_uri))
    container.start()
    with ServiceRpcProxy("producer", {"AMQP_URI": amqp_uri}) as producer:
        assert producer.add_note("n1", "halo") == "n1"
        assert count(url, "notes") == 1
        assert count(url, "outbox") == 1

        with pytest.raises(RemoteError) as refused:
            producer.add_note("n2", "ditolak", fail=True)
        assert refused.value.exc_type == "InvalidInput"
        assert count(url, "notes") == 1
        assert count(url, "outbox") == 1  # the event went with the rollback

        # the duplicate only fails at commit: the caller must hear the
        # failure, not a success sent before the commit
        with pytest.raises(RemoteError) as duplicate:
            producer.add_note("n1", "lagi")
        assert duplicate.value.exc_type == "IntegrityError"
        assert count(url, "notes") == 1
        assert count(url, "outbox") == 1
