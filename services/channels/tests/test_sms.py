"""The SMS provider: segment counting, the text, numbers and callbacks as pure functions; sending,
delivery reports and MO messages through a real Kannel (tests/kannel.py: bearerbox, smsbox and
fakesmsc of the test's own), with a local HTTP server standing in for the gateway's callbacks."""
import http.server
import signal
import threading
import urllib.parse

import httpx
import pytest

from services.channels.providers import Message, Rejected, RetryLater, Sent
from services.channels.providers.gsm import GSM7, UCS2, segments
from services.channels.providers.sms import (
    compose,
    dlr_url,
    mo_get_url,
    normalise_msisdn,
    off_reason,
    parse_dlr,
    parse_mo,
    secret_matches,
    send,
)
from services.channels.settings import ChannelsSettings
from tests.conftest import wait_for
from tests.kannel import Kannel

NUMBER = "+6281234567890"
LINK = "http://localhost:8000/p/siaran/abc123"


# -- segments ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("", (GSM7, 1)),
    ("a" * 160, (GSM7, 1)),
    ("a" * 161, (GSM7, 2)),
    ("a" * 306, (GSM7, 2)),  # 2 x 153
    ("a" * 307, (GSM7, 3)),
    ("a" * 459, (GSM7, 3)),
    ("a" * 460, (GSM7, 4)),
    # the extension table: 2 septets each
    ("€" * 80, (GSM7, 1)),
    ("€" * 81, (GSM7, 2)),
    ("[]{}" * 20, (GSM7, 1)),
    ("a" * 158 + "~", (GSM7, 1)),
    ("a" * 159 + "^", (GSM7, 2)),
    # an escape and its character are not split: 305 + 2 septets fill 153 + 152, then a third
    ("a" * 305 + "€", (GSM7, 3)),
    ("a" * 304 + "€", (GSM7, 2)),
    # Indonesian text in the default alphabet (é, à and § are in it, the newline too)
    ("Pemberitahuan: posyandu Sabtu pukul 09.00 di balai desa.\nHarap membawa KMS & KTP.", (GSM7, 1)),
    ("Kafé desa buka 100% jam 08.00, biaya Rp5.000 (§2)", (GSM7, 1)),
    # one character outside it makes the whole text UCS-2
    ("Jadwal vaksinasi – Sabtu", (UCS2, 1)),
    ("ā" * 70, (UCS2, 1)),
    ("ā" * 71, (UCS2, 2)),
    ("ā" * 134, (UCS2, 2)),  # 2 x 67
    ("ā" * 135, (UCS2, 3)),
    ("ā" * 201, (UCS2, 3)),
    ("ā" * 202, (UCS2, 4)),
    # outside the BMP: a surrogate pair, 2 units, not split between segments
    ("😀" * 35, (UCS2, 1)),
    ("😀" * 36, (UCS2, 2)),
    ("ā" * 66 + "😀", (UCS2, 1)),
    ("ā" * 69 + "😀", (UCS2, 2)),
    ("ā" * 133 + "😀", (UCS2, 3)),  # 67 + 66, and the pair does not fit the unit left
])
def test_segments(text, expected):
    assert segments(text) == expected


# -- the text ---------------------------------------------------------------------------------


def test_a_short_message_is_its_title_and_body():
    message = Message(title="Posyandu", body="Sabtu 09.00 di balai desa.", link=LINK)
    assert compose(message, 3) == "Posyandu\nSabtu 09.00 di balai desa."


def test_a_long_gsm_message_is_shortened_with_its_link_and_stays_gsm():
    body = " ".join(["Warga diharap hadir di balai desa untuk musyawarah."] * 20)
    message = Message(title="Musyawarah desa", body=body, link=LINK)
    for max_segments in (1, 2, 3):
        text = compose(message, max_segments)
        assert segments(text) == (GSM7, max_segments)  # fills what it may
        assert text.startswith("Musyawarah desa\nWarga diharap")
        assert text.endswith("... Selengkapnya: " + LINK)
        assert "…" not in text


def test_a_long_ucs2_message_is_shortened_within_its_segments():
    body = "Jadwal – " + " ".join(["Pembagian bantuan 😀 di kantor desa."] * 20)
    message = Message(title="Bantuan", body=body, link=LINK)
    text = compose(message, 2)
    encoding, count = segments(text)
    assert encoding == UCS2 and count <= 2
    assert text.startswith("Bantuan\nJadwal")
    assert text.endswith("… Selengkapnya: " + LINK)


def test_a_long_message_without_a_link_ends_with_an_ellipsis():
    message = Message(title="Info", body="kata " * 200)
    text = compose(message, 1)
    assert segments(text) == (GSM7, 1)
    assert text.endswith("kata...")


# -- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("written", [
    "081234567890", "0812-3456-7890", "0812 3456 7890", "(0812) 3456.7890",
    "6281234567890", "+6281234567890", "+62 812-3456-7890", "006281234567890",
])
def test_indonesian_mobile_numbers_are_normalised(written):
    assert normalise_msisdn(written) == "+6281234567890"


@pytest.mark.parametrize("written", [
    "", "halo", "12345", "0812", "08123456789012345", "+14155550100", "0215551234", "+62 21 555 1234",
    "62-0812345678", "0812345678a",
])
def test_what_is_not_a_mobile_number_is_refused_without_quoting_it(written):
    with pytest.raises(ValueError) as refused:
        normalise_msisdn(written)
    assert not written or written not in str(refused.value)


# -- callbacks --------------------------------------------------------------------------------


@pytest.mark.parametrize(("kannel_type", "status"), [
    ("1", "delivered"), ("2", "failed"), ("4", "sent"), ("8", "sent"), ("16", "failed"),
])
def test_delivery_report_types(kannel_type, status):
    assert parse_dlr({"ref": "m-42", "status": kannel_type, "secret": "s"}) == ("m-42", status)


@pytest.mark.parametrize("params", [{"ref": "m-42", "status": "3"}, {"ref": "m-42"}, {"status": "1"},
                                    {"ref": "m-42", "status": "%d"}])
def test_delivery_reports_of_no_known_type_are_refused(params):
    with pytest.raises(ValueError):
        parse_dlr(params)


def test_mo_messages():
    assert parse_mo({"from": "6281234567890", "to": "1234", "text": "INFO  desa", "coding": "0"}) == (
        NUMBER, "INFO  desa")
    for coding in ("1", "2"):
        with pytest.raises(ValueError):
            parse_mo({"from": NUMBER, "text": "x", "coding": coding})


def test_callback_secret_and_urls():
    settings = ChannelsSettings(kannel_callback_secret="s3cr3t", public_url="https://kim.example.id/")
    assert secret_matches(settings, {"secret": "s3cr3t"})
    assert not secret_matches(settings, {"secret": "other"})
    assert not secret_matches(settings, {})
    assert not secret_matches(ChannelsSettings(), {"secret": ""})
    assert dlr_url(settings, "m-42") == "https://kim.example.id/channels/sms/dlr?secret=s3cr3t&ref=m-42&status=%d"
    assert mo_get_url(settings) == ("https://kim.example.id/channels/sms/mo?secret=s3cr3t"
                                    "&from=%p&to=%P&text=%b&coding=%c")
    # Kannel's escapes start with %: nothing in these URLs may be percent-encoded
    with pytest.raises(ValueError):
        dlr_url(settings, "m 42/é")


def test_off_without_the_sendsms_url():
    assert "KANNEL_SENDSMS_URL" in off_reason(ChannelsSettings())
    assert off_reason(ChannelsSettings(kannel_sendsms_url="http://127.0.0.1:13013/cgi-bin/sendsms")) is None


# -- a real Kannel ----------------------------------------------------------------------------


class Callbacks(http.server.ThreadingHTTPServer):
    """The gateway's stand-in: records each GET's path and query."""

    def __init__(self):
        self.requests: list[tuple[str, dict[str, str]]] = []
        super().__init__(("127.0.0.1", 0), CallbackHandler)
        self.url = f"http://127.0.0.1:{self.server_port}"

    def of(self, path: str) -> list[dict[str, str]]:
        return [query for each, query in self.requests if each == path]


class CallbackHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        self.server.requests.append((url.path, dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def callbacks():
    server = Callbacks()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def settings(callbacks):
    return ChannelsSettings(public_url=callbacks.url, kannel_callback_secret="rahasia-kim", sms_max_segments=3)


@pytest.fixture(scope="module")
def kannel(tmp_path_factory, settings):
    try:
        with Kannel(tmp_path_factory.mktemp("kannel"), mo_get_url(settings)) as running:
            yield running
    except RuntimeError as error:
        pytest.fail(f"{error} (infra/ensure-kannel.sh installs it)")


@pytest.fixture(scope="module")
def sms_settings(settings, kannel):
    return settings.model_copy(update={"kannel_sendsms_url": kannel.sendsms_url,
                                       "kannel_username": kannel.username,
                                       "kannel_password": kannel.password})


@pytest.fixture
def client():
    with httpx.Client() as http:
        yield http


def _arrived(kannel: Kannel, text: str):
    return wait_for(lambda: [m for m in kannel.received() if m.text == text],
                    message="the message in fakesmsc")[0]


def test_a_gsm_message_arrives_in_the_smsc(kannel, sms_settings, client, callbacks):
    message = Message(title="Posyandu {Sabtu}", body="Pukul 09.00 di balai desa, biaya €0 [gratis].",
                      reference="gsm-1")
    sent = send(sms_settings, client, "0812-3456-7890", message)
    assert sent == Sent(parts=1)
    got = _arrived(kannel, "Posyandu {Sabtu}\nPukul 09.00 di balai desa, biaya €0 [gratis].")
    assert got.receiver == NUMBER


def test_a_ucs2_message_arrives_in_the_smsc(kannel, sms_settings, client):
    message = Message(title="Vaksinasi – Sabtu", body="Datang ke puskesmas 😀", reference="ucs2-1")
    assert send(sms_settings, client, NUMBER, message) == Sent(parts=1)
    assert _arrived(kannel, "Vaksinasi – Sabtu\nDatang ke puskesmas 😀").receiver == NUMBER


def test_a_long_message_arrives_in_parts_shortened_with_its_link(kannel, sms_settings, client):
    body = " ".join(["Warga diharap hadir di balai desa untuk musyawarah."] * 20)
    message = Message(title="Musyawarah", body=body, link=LINK, reference="long-1")
    sent = send(sms_settings, client, NUMBER, message)
    assert sent.parts == 3
    got = _arrived(kannel, compose(message, 3))
    assert got.parts == 3 and got.text.endswith("Selengkapnya: " + LINK)


def test_delivery_reports_reach_the_dlr_url(kannel, sms_settings, client, callbacks):
    send(sms_settings, client, NUMBER, Message(title="Info", body="Laporan", reference="dlr-1"))
    # fakesmsc's SMSC reports "sent to the SMSC" (8), then "delivered" (1)
    reports = wait_for(lambda: len(got := [q for q in callbacks.of("/channels/sms/dlr") if q["ref"] == "dlr-1"])
                       >= 2 and got, message="two delivery reports")
    assert {parse_dlr(report) for report in reports} == {("dlr-1", "sent"), ("dlr-1", "delivered")}
    assert all(secret_matches(sms_settings, report) for report in reports)


def test_a_wrong_password_is_rejected(kannel, sms_settings, client):
    wrong = sms_settings.model_copy(update={"kannel_password": "salah"})
    with pytest.raises(Rejected) as rejected:
        send(wrong, client, NUMBER, Message(title="Info", body="x", reference="pw-1"))
    assert "Authorization failed" in rejected.value.reason


def test_an_address_that_is_no_number_is_rejected_without_quoting_it(kannel, sms_settings, client):
    with pytest.raises(Rejected) as rejected:
        send(sms_settings, client, "0812-abc", Message(title="Info", body="x", reference="num-1"))
    assert "abc" not in rejected.value.reason


@pytest.fixture
def own_kannel(tmp_path, settings):
    """A Kannel for one test, to stop parts of: its bearerbox queues one message at most while
    the SMSC is away (Kannel answers 503 past that)."""
    try:
        with Kannel(tmp_path / "kannel", mo_get_url(settings), core="sms-outgoing-queue-limit = 1") as running:
            yield running, settings.model_copy(update={"kannel_sendsms_url": running.sendsms_url,
                                                       "kannel_username": running.username,
                                                       "kannel_password": running.password})
    except RuntimeError as error:
        pytest.fail(f"{error} (infra/ensure-kannel.sh installs it)")


def test_kannel_queues_while_the_smsc_is_away_and_answers_503_when_full(own_kannel, client):
    kannel, settings = own_kannel
    kannel.stop("fakesmsc")
    wait_for(lambda: not kannel.smsc_online(), message="the fake SMSC offline")
    # "3: Queued for later delivery"
    assert send(settings, client, NUMBER, Message(title="Info", body="Antre", reference="q-1")) == Sent(parts=1)
    with pytest.raises(RetryLater) as later:
        send(settings, client, NUMBER, Message(title="Info", body="Rahasia isi", reference="q-2"))
    assert later.value.whole_provider
    assert later.value.reason == "Kannel answered 503: Temporal failure, try again later."
    kannel.restart_fakesmsc()
    assert _arrived(kannel, "Info\nAntre").receiver == NUMBER


def test_kannel_frozen_or_down_is_retried_later(own_kannel, client):
    kannel, settings = own_kannel
    message = Message(title="Info", body="Rahasia isi", reference="down-1")
    smsbox = kannel.processes["smsbox"]
    smsbox.send_signal(signal.SIGSTOP)  # it still accepts connections (the kernel does) but answers none
    try:
        with pytest.raises(RetryLater) as later:
            send(settings.model_copy(update={"provider_timeout_seconds": 0.5}), client, NUMBER, message)
    finally:
        smsbox.send_signal(signal.SIGCONT)
    assert later.value.whole_provider and later.value.reason == "Kannel did not answer in time"
    # without its bearerbox, smsbox exits: nothing listens on the sendsms port
    kannel.stop("bearerbox")
    wait_for(lambda: smsbox.poll() is not None, message="smsbox to exit after its bearerbox")
    with pytest.raises(RetryLater) as later:
        send(settings, client, NUMBER, message)
    assert later.value.whole_provider
    assert later.value.reason == "Kannel unreachable (ConnectError)"


def test_an_mo_message_reaches_the_gateway(kannel, sms_settings, callbacks):
    kannel.send_mo("6281298765432", "INFO  desa a+b&c=1")
    kannel.send_mo("+6281298765432", "Terima kasih 🙏 – warga")
    received = wait_for(lambda: len(got := callbacks.of("/channels/sms/mo")) >= 2 and got, message="two MO messages")
    assert [parse_mo(query) for query in received] == [
        ("+6281298765432", "INFO  desa a+b&c=1"), ("+6281298765432", "Terima kasih 🙏 – warga")]
    assert all(secret_matches(sms_settings, query) for query in received)
