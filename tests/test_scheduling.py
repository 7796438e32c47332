"""`make test-gateway`'s three xdist workers split the tests by database
backend (tests/conftest.py), so that each platform starts once, and run the
tests on neither backend on the third."""
from tests.conftest import backend_scope


def test_tests_of_one_backend_share_a_work_unit_and_the_others_share_a_third():
    assert backend_scope("tests/test_tags.py::test_tags[sqlite]") == "sqlite"
    assert backend_scope("services/gateway/tests/test_accounts.py::test_x[postgresql]") == "postgresql"
    assert backend_scope("tests/test_webhooks.py::test_port[sqlite-http://127.0.0.1:port/hook]") == "sqlite"
    assert backend_scope("services/x.py::test_y[postgresql-search_regions-kwargs5-InvalidInput]") == "postgresql"
    for other in ("tests/test_run_local.py::test_run", "tests/web/test_harness.py::test_page[False]",
                  "tests/test_x.py::test_y[mysqlite]", "tests/test_contract.py::test_schemathesis_finds_no_failure"):
        assert backend_scope(other) == "others"
