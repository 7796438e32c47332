"""The Telegram provider against a local stand-in of the Bot API (tests/standins/telegram.py):
rendering and splitting, the answers and what they mean, the updates; and the stand-in's own limits."""
import random
import socket

import httpx
import pytest

from services.channels.providers import Message, Rejected, RetryLater, parts, telegram
from services.channels.settings import ChannelsSettings
from tests.standins import Clock, WebhookReceiver
from tests.standins.telegram import TelegramStandIn, parse_html

GROUP = "-1001234567890"


@pytest.fixture
def clock():
    return Clock(start=1000.0)  # still unless a test moves it: the limits count exactly


@pytest.fixture
def bot(clock):
    with TelegramStandIn(clock=clock) as stand_in:
        yield stand_in


@pytest.fixture
def settings(bot):
    return ChannelsSettings(telegram_api_url=bot.url, telegram_bot_token=bot.token, provider_timeout_seconds=10)


@pytest.fixture
def client():
    with httpx.Client() as http:
        yield http


def plain(texts):
    """What the group reads, part by part."""
    shown = [parse_html(text) for text in texts]
    assert all(error is None for _, error in shown), shown
    return [text for text, _ in shown]


def test_off_without_a_token():
    assert telegram.off_reason(ChannelsSettings(telegram_bot_token=None)) == "TELEGRAM_BOT_TOKEN is not set"
    assert telegram.off_reason(ChannelsSettings(telegram_bot_token="1:x")) is None


def test_the_title_is_bold_the_body_escaped_and_the_link_a_line_of_its_own():
    message = Message(title="Kerja bakti <Minggu>", body='Bawa "cangkul" & karung.\n\n<script>x</script>',
                      link="https://kim.example/b/1?a=1&b=2")
    [text] = telegram.render(message)
    assert text == ('<b>Kerja bakti &lt;Minggu&gt;</b>\n\nBawa "cangkul" &amp; karung.\n\n'
                    '&lt;script&gt;x&lt;/script&gt;\n\n'
                    '<a href="https://kim.example/b/1?a=1&amp;b=2">Baca selengkapnya</a>')
    assert plain([text]) == ['Kerja bakti <Minggu>\n\nBawa "cangkul" & karung.\n\n<script>x</script>\n\n'
                             'Baca selengkapnya']


def test_a_long_message_is_split_on_paragraphs_within_4096():
    paragraphs = [f"Paragraf {n}: " + "kata " * 150 for n in range(30)]  # about 23,000 characters
    texts = telegram.render(Message(title="Pengumuman", body="\n\n".join(paragraphs)))
    assert len(texts) > 5
    assert all(parts.length(text) <= 4096 for text in texts)
    shown = plain(texts)
    assert shown[0].startswith("Pengumuman\n\nParagraf 0:")
    assert all(text.startswith("Paragraf") for text in shown[1:])  # every cut on a paragraph
    assert " ".join(" ".join(shown).split()) == " ".join(("Pengumuman " + " ".join(paragraphs)).split())


def test_escaping_counts_and_a_cut_never_falls_inside_an_entity_or_a_tag():
    ampersands = Message(title="T", body="&" * 5000)  # 5,000 characters, 25,000 escaped
    texts = telegram.render(ampersands)
    assert all(parts.length(text) <= 4096 for text in texts)
    assert "".join(plain(texts)).replace("\n", "") == "T" + "&" * 5000
    long_title = Message(title="judul " * 1000, body="isi")  # the bold title itself runs past one part
    texts = telegram.render(long_title)
    assert len(texts) == 2 and all(parts.length(text) <= 4096 for text in texts)
    assert texts[0].startswith("<b>") and texts[0].endswith("</b>") and texts[1].startswith("<b>")
    assert all(error is None for _, error in map(parse_html, texts))
    one_word = telegram.render(Message(title="", body="x" * 9000))  # no boundary at all: cut anywhere
    assert [len(text) for text in one_word] == [4096, 4096, 808]


@pytest.mark.parametrize("seed", range(20))
def test_every_part_of_any_text_parses_and_fits(seed):
    """Random texts of words, entities, emoji, line breaks and tags, cut at small limits."""
    pieces = ["kata", "&amp;", "&lt;", "🙂", " ", " ", "\n", "\n\n", "<b>tebal</b>", '<a href="https://k.id/?a=1&amp;b=2">tautan</a>',
              "<b>judul <i>miring &gt; panjang</i> lagi</b>", "x" * 30]
    generator = random.Random(seed)
    text = "".join(generator.choice(pieces) for _ in range(400))
    limit = generator.choice([60, 100, 250])
    texts = parts.split(text, limit, html=True)
    assert all(parts.length(part) <= limit for part in texts)
    shown = plain(texts)
    assert "".join("".join(shown).split()) == "".join(parse_html(text)[0].split())


def test_nothing_to_send_is_rejected(settings, client):
    assert telegram.render(Message(title=" ", body="\n")) == []
    with pytest.raises(Rejected):
        telegram.send(settings, client, GROUP, Message(title=" ", body=""))


def test_characters_outside_the_basic_plane_count_twice():
    texts = telegram.render(Message(title="", body="🙂" * 3000))
    assert [len(text) for text in texts] == [2048, 952]


def test_send_posts_each_part_as_html_without_preview(bot, settings, client):
    message = Message(title="Posyandu", body=("Jadwal imunisasi. " * 300 + "\n\n") * 2, link="https://kim.example/b/7")
    sent = telegram.send(settings, client, GROUP, message)
    assert sent.parts == len(telegram.render(message)) == 3
    assert sent.provider_ids == ["1", "2", "3"]
    assert bot.texts(GROUP) == telegram.render(message)
    assert {(m.parse_mode, m.disable_web_page_preview) for m in bot.messages} == {("HTML", True)}


def test_a_429_is_retry_later_for_the_whole_bot_with_telegrams_retry_after(bot, settings, client, clock):
    for n in range(20):
        telegram.send(settings, client, GROUP, Message(title=f"Kabar {n}", body="isi"))
    with pytest.raises(RetryLater) as later:
        telegram.send(settings, client, GROUP, Message(title="Kabar 21", body="isi"))
    assert later.value.retry_after == 60 and later.value.whole_provider
    assert (bot.accepted, bot.rejected_429, bot.violations) == (20, 1, 0)
    clock.advance(60)
    telegram.send(settings, client, GROUP, Message(title="Kabar 21", body="isi"))
    assert (bot.accepted, bot.violations) == (21, 0)


def test_a_retry_sends_only_the_parts_not_sent(bot, settings, client, clock):
    private_chat = "987654321"  # about one message a second into a private chat
    message = Message(title="Panjang", body="\n\n".join(["kalimat " * 400] * 3))
    with pytest.raises(RetryLater) as later:
        telegram.send(settings, client, private_chat, message)
    assert (later.value.parts_sent, later.value.provider_ids) == (1, ["1"])
    clock.advance(later.value.retry_after)
    with pytest.raises(RetryLater) as later:
        telegram.send(settings, client, private_chat, message, first_part=1)
    assert (later.value.parts_sent, later.value.provider_ids) == (2, ["2"])
    clock.advance(later.value.retry_after)
    sent = telegram.send(settings, client, private_chat, message, first_part=2)
    assert sent.provider_ids == ["3"] and sent.parts == 3
    assert bot.texts(private_chat) == telegram.render(message)  # each part once, in order
    assert bot.violations == 0


def test_blocked_kicked_and_unknown_chats_are_rejected_without_the_chat_id(bot, settings, client):
    bot.block_chat("555")
    bot.block_chat(GROUP)
    bot.forget_chat("-42")
    reasons = []
    for chat in ("555", GROUP, "-42"):
        with pytest.raises(Rejected) as rejected:
            telegram.send(settings, client, chat, Message(title="t", body="b"))
        reasons.append(rejected.value.reason)
    assert reasons == ["telegram: Forbidden: bot was blocked by the user",
                       "telegram: Forbidden: bot was kicked from the group chat",
                       "telegram: Bad Request: chat not found"]
    assert bot.accepted == 0


def test_a_group_upgraded_to_a_supergroup_names_its_new_chat(bot, settings, client):
    bot.migrate_chat("-4000", "-1004000")
    with pytest.raises(telegram.ChatMigrated) as moved:
        telegram.send(settings, client, "-4000", Message(title="t", body="b"))
    assert moved.value.migrate_to_chat_id == "-1004000" and "-4000" not in moved.value.reason
    telegram.send(settings, client, moved.value.migrate_to_chat_id, Message(title="t", body="b"))


def test_server_errors_and_lost_connections_are_retried_and_never_show_the_token(bot, settings, client):
    bot.fail_next(1, 502, "Bad Gateway")
    with pytest.raises(RetryLater) as later:
        telegram.send(settings, client, GROUP, Message(title="t", body="b"))
    assert not later.value.whole_provider and later.value.reason == "telegram: Bad Gateway"
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{unused.getsockname()[1]}"
    with pytest.raises(RetryLater) as later:
        telegram.send(settings.model_copy(update={"telegram_api_url": nowhere}), client, GROUP, Message("t", "b"))
    assert later.value.reason == "telegram: connection failed (ConnectError)"


def test_no_answer_in_time_is_retried(settings, client):
    with socket.socket() as silent:  # accepts connections (the backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        quiet = settings.model_copy(update={"telegram_api_url": f"http://127.0.0.1:{silent.getsockname()[1]}",
                                            "provider_timeout_seconds": 0.3})
        with pytest.raises(RetryLater) as later:
            telegram.send(quiet, client, GROUP, Message(title="t", body="b"))
    assert later.value.reason == "telegram: no answer in time (ReadTimeout)"


def test_a_wrong_token_pauses_the_bot_and_names_the_setting(bot, settings, client):
    wrong = settings.model_copy(update={"telegram_bot_token": "999:wrong"})
    with pytest.raises(RetryLater) as later:
        telegram.send(wrong, client, GROUP, Message(title="t", body="b"))
    assert later.value.whole_provider and "TELEGRAM_BOT_TOKEN" in later.value.reason
    assert "999:wrong" not in later.value.reason


def test_a_reply_in_the_group_reaches_the_webhook_and_parses(bot, settings, client):
    with WebhookReceiver() as ours:
        answer = client.post(f"{bot.url}/bot{bot.token}/setWebhook",
                             json={"url": f"{ours.url}/telegram", "secret_token": "s3cret_-"})
        assert answer.json() == {"ok": True, "result": True, "description": "Webhook was set"}
        sent = telegram.send(settings, client, GROUP, Message(title="Rapat", body="Besok"))
        assert bot.user_says(GROUP, "Siap hadir", reply_to=int(sent.provider_ids[0])) == 200
        [(headers, body)] = ours.wait_for(1)
    assert headers["x-telegram-bot-api-secret-token"] == "s3cret_-"
    inbound = telegram.parse_update(httpx.Response(200, content=body).json())
    assert inbound == telegram.Inbound(update_id=inbound.update_id, chat_id=GROUP, chat_type="supergroup",
                                       message_id=2, text="Siap hadir", reply_to_message_id=1, sender="user")


def test_parse_update_kinds(bot):
    edited = telegram.parse_update(bot.update("-77", "diperbaiki", edited=True))
    assert (edited.chat_id, edited.chat_type, edited.edited, edited.reply_to_message_id) == ("-77", "group", True, None)
    assert telegram.parse_update(bot.update("-77", "dari admin", sender="group")).sender == "group"
    post = telegram.parse_update(bot.update("@kanal_kim", "kabar kanal", sender="channel"))
    assert (post.chat_type, post.sender) == ("channel", "channel")
    assert telegram.parse_update(bot.update("-77", None)) is None  # someone joined: no text
    assert telegram.parse_update({"update_id": 1, "my_chat_member": {"chat": {"id": -77}}}) is None
    photo = {"update_id": 2, "message": {"message_id": 9, "chat": {"id": 5, "type": "private"},
                                         "from": {"id": 5, "is_bot": False}, "photo": [], "caption": "jalan rusak"}}
    assert telegram.parse_update(photo).text == "jalan rusak"


# the stand-in's own rules

def test_the_31st_message_in_one_second_gets_429(bot, client):
    answers = [client.post(f"{bot.url}/bot{bot.token}/sendMessage", json={"chat_id": 1000 + n, "text": "halo"})
               for n in range(31)]
    assert [a.status_code for a in answers] == [200] * 30 + [429]
    assert answers[-1].json() == {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
                                  "parameters": {"retry_after": 1}}
    assert (bot.accepted, bot.rejected_429, bot.violations) == (30, 1, 0)


def test_a_request_before_retry_after_is_counted_as_a_violation(bot, client, clock):
    def post(chat):
        return client.post(f"{bot.url}/bot{bot.token}/sendMessage", json={"chat_id": chat, "text": "halo"})
    assert [post(GROUP).status_code for _ in range(21)] == [200] * 20 + [429]
    assert post("-555").status_code == 200  # another group: the limit was this group's
    clock.advance(30)
    assert post(GROUP).status_code == 429 and bot.violations == 1
    clock.advance(30)
    assert post(GROUP).status_code == 200 and bot.violations == 1


@pytest.mark.parametrize("text, description", [
    ("<b>bold", "Bad Request: can't parse entities: can't find end tag corresponding to start tag \"b\""),
    ("<blink>x</blink>", "Bad Request: can't parse entities: unsupported start tag \"blink\" at byte offset 0"),
    ("a < b", "Bad Request: can't parse entities: character '<' is reserved at byte offset 2"),
    ("x" * 4097, "Bad Request: message is too long"),
    ("  ", "Bad Request: message text is empty"),
])
def test_the_stand_in_refuses_what_telegram_refuses(bot, client, text, description):
    answer = client.post(f"{bot.url}/bot{bot.token}/sendMessage",
                         json={"chat_id": GROUP, "text": text, "parse_mode": "HTML"})
    assert (answer.status_code, answer.json()["description"]) == (400, description)


def test_the_stand_in_knows_its_token_and_its_methods(bot, client):
    assert client.get(f"{bot.url}/bot{bot.token}/getMe").json()["result"]["is_bot"] is True
    wrong = client.post(f"{bot.url}/bot1:nope/sendMessage", json={"chat_id": GROUP, "text": "x"})
    assert (wrong.status_code, wrong.json()) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    client.post(f"{bot.url}/bot{bot.token}/setWebhook", json={"url": "https://kim.example/tg", "secret_token": "a"})
    assert client.post(f"{bot.url}/bot{bot.token}/deleteWebhook").json()["ok"] and bot.webhook_url is None
    assert client.post(f"{bot.url}/bot{bot.token}/setWebhook",
                       json={"url": "https://kim.example/tg", "secret_token": "no spaces"}).status_code == 400
