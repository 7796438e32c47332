"""`make test-gateway`'s xdist workers split the tests by database backend
(tests/conftest.py), so that each platform starts once per worker, and start
the longest units first."""
from tests.conftest import ALONE_WITH_PLATFORM, LONGEST, OWN_PLATFORM, ROOT, backend_scope, unit_rank


def test_tests_of_one_backend_share_a_work_unit_and_others_stand_alone():
    assert backend_scope("tests/test_tags.py::test_tags[sqlite]") == "sqlite"
    assert backend_scope("services/gateway/tests/test_accounts.py::test_x[postgresql]") == "postgresql"
    assert backend_scope("tests/test_webhooks.py::test_port[sqlite-http://127.0.0.1:port/hook]") == "sqlite"
    assert backend_scope("services/x.py::test_y[postgresql-search_regions-kwargs5-InvalidInput]") == "postgresql"
    for alone in ("tests/test_run_local.py::test_run", "tests/web/test_harness.py::test_page[False]",
                  "tests/test_x.py::test_y[mysqlite]"):
        assert backend_scope(alone) == alone


def test_the_website_and_modules_with_platforms_of_their_own_are_units_apart():
    assert backend_scope("tests/web/test_browser.py::test_journey[postgresql]") == "postgresql-web"
    assert backend_scope("tests/test_broker_restart.py::test_a[sqlite]") == "tests/test_broker_restart.py[sqlite]"
    assert backend_scope("tests/test_broker_restart.py::test_b[sqlite]") == "tests/test_broker_restart.py[sqlite]"
    ranks = [unit_rank(scope) for scope in (LONGEST, "sqlite", "tests/test_broker_restart.py[postgresql]",
                                            "sqlite-web", "tests/test_run_local.py::test_run", "tests/test_x.py::y")]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    assert unit_rank(f"{LONGEST}[flows]") == unit_rank(f"{LONGEST}[others]") == unit_rank(LONGEST)


def test_every_module_that_starts_a_platform_of_its_own_on_a_backend_is_known():
    """A module that starts platforms itself, parametrized by backend, must be a unit apart: in the
    backend's unit its worker would run the session's platform and its own one after the other."""
    starting = {str(path.relative_to(ROOT)) for path in (ROOT / "tests").rglob("test_*.py")
                if "start_platform(" in path.read_text() or "own_platform(" in path.read_text()}
    # these have no backend in their tests' ids: each test is a unit already
    alone = {*ALONE_WITH_PLATFORM, "tests/test_contract.py", "tests/test_scheduling.py"}
    assert starting - alone == set(OWN_PLATFORM)
