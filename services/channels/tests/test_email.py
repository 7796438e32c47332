"""The e-mail provider against a real SMTP server (aiosmtpd, tests/smtp_server.py)."""
import socket
import threading
import time

import pytest

from services.channels.providers import Message, Rejected, RetryLater, Sent
from services.channels.providers import email as provider
from services.channels.settings import ChannelsSettings
from tests.smtp_server import SmtpServer

ADDRESS = "ani.warga@desa-sukamaju.id"
FROM = "KIM Platform <kim@kominfo.example.id>"


def settings_for(url: str | None, sender: str | None = FROM, **extra) -> ChannelsSettings:
    return ChannelsSettings(smtp_url=url, smtp_from=sender, **extra)


def message(**changes) -> Message:
    fields: dict = dict(
        title="Jadwal vaksinasi", body="Vaksinasi di balai desa hari Sabtu.\n\nBawa KTP & kartu vaksin.",
        link="http://localhost:8000/siaran/b-1", unsubscribe_url="http://localhost:8000/berhenti/t0k3n",
        reference="d-42-email")
    fields.update(changes)
    return Message(**fields)


@pytest.fixture
def server():
    with SmtpServer() as running:
        yield running


def parts(received):
    email = received.message
    return (email.get_body(("plain",)).get_content(), email.get_body(("html",)).get_content())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- the URL and the settings

def test_parse_smtp_url_reads_login_port_and_starttls():
    target = provider.parse_smtp_url("smtp://kim%40desa:p%40ss%3Aw%2Fd@mail.example.id:587?starttls=1")
    assert (target.host, target.port, target.user, target.password) == ("mail.example.id", 587, "kim@desa", "p@ss:w/d")
    assert target.starttls and not target.tls


def test_parse_smtp_url_default_ports_and_tls():
    assert provider.parse_smtp_url("smtp://relay").port == 25
    smtps = provider.parse_smtp_url("smtps://relay.example.id")
    assert (smtps.port, smtps.tls, smtps.starttls, smtps.user, smtps.password) == (465, True, False, None, None)
    assert not provider.parse_smtp_url("smtp://relay?starttls=0").starttls


@pytest.mark.parametrize("url", ["http://relay", "relay:25", "smtp://", "smtp://relay:99999"])
def test_parse_smtp_url_refuses_what_is_no_smtp_address_without_quoting_it(url):
    with pytest.raises(ValueError) as raised:
        provider.parse_smtp_url(url.replace("relay", "u:rahasia@relay"))
    assert "rahasia" not in str(raised.value)


def test_off_reason_names_what_is_missing():
    assert provider.off_reason(settings_for(None, None)) == "SMTP_URL and SMTP_FROM not set"
    assert provider.off_reason(settings_for("smtp://relay", None)) == "SMTP_FROM not set"
    assert "SMTP_URL" in provider.off_reason(settings_for("http://u:rahasia@relay"))
    assert "rahasia" not in provider.off_reason(settings_for("http://u:rahasia@relay"))
    assert provider.off_reason(settings_for("smtp://relay:587?starttls=1")) is None


# --- the message

def test_both_parts_carry_the_text_the_link_and_the_indonesian_footer(server):
    sent = provider.send(settings_for(server.url), None, ADDRESS, message())
    [received] = server.wait_for(1)
    assert received.rcpt_tos == [ADDRESS] and received.mail_from == "kim@kominfo.example.id"
    text, html = parts(received)
    assert "Vaksinasi di balai desa hari Sabtu." in text and "Bawa KTP & kartu vaksin." in text
    assert "Baca selengkapnya: http://localhost:8000/siaran/b-1" in text
    assert "Kelompok Informasi Masyarakat" in text
    assert "Berhenti menerima e-mail ini: http://localhost:8000/berhenti/t0k3n" in text
    assert "<p>Bawa KTP &amp; kartu vaksin.</p>" in html
    assert '<a href="http://localhost:8000/siaran/b-1">Baca selengkapnya</a>' in html
    assert '<a href="http://localhost:8000/berhenti/t0k3n">Berhenti menerima e-mail ini</a>' in html
    assert '<html lang="id">' in html
    assert sent == Sent(provider_ids=[received.message["Message-ID"]])


def test_headers_unsubscribe_in_one_click_message_id_and_no_auto_replies(server):
    provider.send(settings_for(server.url), None, ADDRESS, message())
    email = server.wait_for(1)[0].message
    assert email["List-Unsubscribe"] == "<http://localhost:8000/berhenti/t0k3n>"
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email["Message-ID"] == "<d-42-email@kominfo.example.id>"
    assert email["Auto-Submitted"] == "auto-generated"
    assert email["Content-Language"] == "id"
    assert email["From"] == FROM and email["To"] == ADDRESS
    assert email["Date"] and email["Subject"] == "Jadwal vaksinasi"


def test_without_an_unsubscribe_address_there_is_no_list_unsubscribe():
    email = provider.compose(settings_for("smtp://relay"), ADDRESS, message(unsubscribe_url=None, reference=""))
    assert email["List-Unsubscribe"] is None and email["List-Unsubscribe-Post"] is None
    assert email["Message-ID"].endswith("@kominfo.example.id>")  # made up when there is no reference


def test_html_part_escapes_markup_and_links_only_web_addresses(server):
    hostile = message(title="<script>alert(1)</script>", body="<b>x</b> <script>steal()</script>",
                      link="javascript:alert(1)")
    provider.send(settings_for(server.url), None, ADDRESS, hostile)
    text, html = parts(server.wait_for(1)[0])
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "javascript:" not in html
    assert "<script>steal()</script>" in text  # plain text stays as written


@pytest.mark.parametrize(("category", "priority", "prefix"), [
    ("darurat", "normal", "[DARURAT] "), ("informasi", "urgent", "[SEGERA] "),
    ("informasi", "high", "[PENTING] "), ("darurat", "urgent", "[DARURAT] "), ("informasi", "normal", "")])
def test_subject_marks_emergencies_and_priorities(category, priority, prefix):
    email = provider.compose(settings_for("smtp://relay"), ADDRESS, message(category=category, priority=priority))
    assert email["Subject"] == prefix + "Jadwal vaksinasi"


def test_a_non_ascii_subject_and_body_arrive_whole(server):
    provider.send(settings_for(server.url), None, ADDRESS, message(title="Pemberitahuan — “penting”", body="Dana Rp 5.000.000 ✓"))
    received = server.wait_for(1)[0]
    assert received.message["Subject"] == "Pemberitahuan — “penting”"
    assert "Dana Rp 5.000.000 ✓" in parts(received)[0]


# --- the server's answers

def test_login_when_the_url_names_a_user():
    with SmtpServer(user="kim@desa", password="p@ss:w/d") as server:
        assert "kim%40desa:p%40ss%3Aw%2Fd@" in server.url
        provider.send(settings_for(server.url), None, ADDRESS, message())
        assert server.wait_for(1)[0].login == "kim@desa"


def test_a_refused_login_holds_the_whole_provider_not_the_address():
    with SmtpServer(user="kim", password="benar") as server:
        wrong = server.url.replace("benar", "salah")
        with pytest.raises(RetryLater) as raised:
            provider.send(settings_for(wrong), None, ADDRESS, message())
        assert raised.value.whole_provider and raised.value.reason.startswith("SMTP login refused: SMTP 535")
        assert "salah" not in raised.value.reason
        assert server.messages == []


def test_a_refused_recipient_is_rejected_with_the_servers_words_but_not_the_address(server):
    server.refuse(ADDRESS)
    with pytest.raises(Rejected) as raised:
        provider.send(settings_for(server.url), None, ADDRESS, message())
    assert raised.value.reason == "SMTP 550 5.1.1 <address>: mailbox unavailable"
    assert server.messages == []


def test_a_recipient_put_off_at_rcpt_is_retried(server):
    server.refuse(ADDRESS, "450 4.2.0 <{address}>: greylisted, come back later")
    with pytest.raises(RetryLater) as raised:
        provider.send(settings_for(server.url), None, ADDRESS, message())
    assert raised.value.reason == "SMTP 450 4.2.0 <address>: greylisted, come back later"
    assert not raised.value.whole_provider


def test_451_is_retried_and_the_next_try_passes(server):
    server.defer(1)
    with pytest.raises(RetryLater) as raised:
        provider.send(settings_for(server.url), None, ADDRESS, message())
    assert raised.value.reason == "SMTP 451 4.3.0 Try again later"
    assert server.messages == []
    provider.send(settings_for(server.url), None, ADDRESS, message())
    assert len(server.wait_for(1)) == 1


def test_a_rejected_message_body_is_rejected(server):
    server.defer(1, "554 5.7.1 Message refused as spam")
    with pytest.raises(Rejected) as raised:
        provider.send(settings_for(server.url), None, ADDRESS, message())
    assert raised.value.reason == "SMTP 554 5.7.1 Message refused as spam"


def test_server_down_is_retried_for_the_whole_provider():
    with pytest.raises(RetryLater) as raised:
        provider.send(settings_for(f"smtp://127.0.0.1:{free_port()}"), None, ADDRESS, message())
    assert raised.value.whole_provider
    assert raised.value.reason == "SMTP server unreachable: ConnectionRefusedError"


def test_a_server_that_never_greets_times_out_into_retry_later():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"smtp://127.0.0.1:{silent.getsockname()[1]}"
        with pytest.raises(RetryLater) as raised:
            provider.send(settings_for(url, provider_timeout_seconds=0.2), None, ADDRESS, message())
    assert raised.value.reason.startswith("SMTP server unreachable: ")


@pytest.mark.parametrize("address", ["bukan-alamat", "a@b.id\r\nBcc: c@d.id", "a@b.id, c@d.id"])
def test_what_is_no_single_address_is_rejected_before_any_connection(address):
    with pytest.raises(Rejected) as raised:
        provider.send(settings_for(f"smtp://127.0.0.1:{free_port()}"), None, address, message())
    assert raised.value.reason == "not an e-mail address"


# --- TLS

@pytest.mark.parametrize("tls", ["starttls", "implicit"])
def test_tls_with_a_trusted_certificate(tls, monkeypatch):
    with SmtpServer(user="kim", password="rahasia", tls=tls) as server:
        monkeypatch.setenv("SSL_CERT_FILE", server.ca_file)
        provider.send(settings_for(server.url), None, ADDRESS, message())
        assert server.wait_for(1)[0].login == "kim"


def test_an_untrusted_certificate_holds_the_whole_provider():
    with SmtpServer(tls="starttls") as server:
        with pytest.raises(RetryLater) as raised:
            provider.send(settings_for(server.url), None, ADDRESS, message())
        assert raised.value.whole_provider and raised.value.reason.startswith("SMTP TLS failed: ")
        assert server.messages == []


def test_a_server_that_trickles_its_answer_is_cut_off_at_the_deadline():
    """Each line comes well within the timeout, the greeting never ends: only a deadline on the whole
    conversation ends it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def trickle():
        connection, _ = listener.accept()
        with connection:
            while not stop.is_set():
                connection.sendall(b"220-still greeting\r\n")
                time.sleep(0.05)
    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        url = f"smtp://127.0.0.1:{listener.getsockname()[1]}"
        with pytest.raises(RetryLater) as raised:
            provider.send(settings_for(url, provider_timeout_seconds=0.5), None, ADDRESS, message())
        assert raised.value.whole_provider
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def test_starttls_asked_of_a_server_without_it_holds_the_whole_provider(server):
    with pytest.raises(RetryLater) as raised:
        provider.send(settings_for(server.url + "?starttls=1"), None, ADDRESS, message())
    assert raised.value.whole_provider and "STARTTLS" in raised.value.reason
    assert server.messages == []


def test_a_reply_quoting_the_mailbox_name_alone_loses_it(server):
    server.refuse(ADDRESS, "550 5.1.1 user ANI.WARGA unknown here")
    with pytest.raises(Rejected) as raised:
        provider.send(settings_for(server.url), None, ADDRESS, message())
    assert raised.value.reason == "SMTP 550 5.1.1 user <address> unknown here"
