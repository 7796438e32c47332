"""`make test-gateway`'s xdist workers split the tests by database backend
(tests/conftest.py), so that each platform starts once."""
from tests.conftest import backend_scope


def test_tests_of_one_backend_share_a_work_unit_and_others_stand_alone():
    assert backend_scope("tests/test_tags.py::test_tags[sqlite]") == "sqlite"
    assert backend_scope("services/gateway/tests/test_accounts.py::test_x[postgresql]") == "postgresql"
    assert backend_scope("tests/test_webhooks.py::test_port[sqlite-http://127.0.0.1:port/hook]") == "sqlite"
    assert backend_scope("services/x.py::test_y[postgresql-search_regions-kwargs5-InvalidInput]") == "postgresql"
    for alone in ("tests/test_run_local.py::test_run", "tests/web/test_harness.py::test_page[False]",
                  "tests/test_x.py::test_y[mysqlite]"):
        assert backend_scope(alone) == alone
