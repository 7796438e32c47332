"""What a group may write back on a channel, Bahasa Indonesia first, English words too:

- `1`, `OK`, `TERIMA` (`ACK`), or a reply to one of our messages: acknowledges the message;
- `SEBAR 120` (`RELAY 120`), optionally with how it was passed on (`SEBAR 120 pengajian`): a relay
  that reached 120 people;
- `ASPIRASI <teks>` (`ASPIRATION`), `LAPOR <teks>` (`REPORT`): an aspiration (a suggestion; a report
  is a complaint) filed by the group in its village;
- `BERHENTI` (`STOP`), `MULAI` (`START`), `BANTUAN` (`HELP`);
- `/link <kode>`, `DAFTAR <kode>` (`LINK`), or `/start <kode>` from a Telegram deep link: links the
  channel the code was made for.

Telegram adds the bot's name to commands in groups (`/stop@KimBot`); that is stripped."""
import re
from dataclasses import dataclass

ACK_WORDS = {"1", "OK", "OKE", "TERIMA", "DITERIMA", "ACK", "RECEIVED"}
RELAY_WORDS = {"SEBAR", "RELAY"}
ASPIRATION_WORDS = {"ASPIRASI": "aspirasi", "ASPIRATION": "aspirasi", "LAPOR": "pengaduan", "REPORT": "pengaduan"}
STOP_WORDS = {"BERHENTI", "STOP", "UNSUBSCRIBE"}
START_WORDS = {"MULAI", "START", "SUBSCRIBE"}
HELP_WORDS = {"BANTUAN", "HELP", "INFO", "MENU"}
LINK_WORDS = {"LINK", "DAFTAR", "KODE", "START"}  # START with a code is Telegram's deep link

MAX_REACHED = 100_000  # one report, as the inbox's relay allows
MIN_ASPIRATION = 5  # characters, as the API asks
_BOT_SUFFIX = re.compile(r"^/(\w+)@\w+")


@dataclass(frozen=True)
class Command:
    name: str  # ack, relay, aspiration, stop, start, help, link, unknown
    reached: int = 0
    how: str | None = None  # relay: how it was passed on
    kind: str = ""  # aspiration: aspirasi or pengaduan
    text: str = ""  # aspiration: the text; link: the code


def parse(text: str | None) -> Command:
    words = (text or "").strip()
    words = _BOT_SUFFIX.sub(r"/\1", words).lstrip("/")
    head, _, rest = words.partition(" ")
    head, rest = head.upper().rstrip(".!:,"), rest.strip()
    if not head:
        return Command("unknown")
    if head in ACK_WORDS and not rest:
        return Command("ack")
    if head in RELAY_WORDS:
        number, _, how = rest.partition(" ")
        if number.replace(".", "").isdigit() and 0 <= int(number.replace(".", "")) <= MAX_REACHED:
            how = "_".join(how.lower().split())[:30]
            return Command("relay", reached=int(number.replace(".", "")), how=how if len(how) >= 2 else None)
        return Command("unknown")
    if head in ASPIRATION_WORDS:
        if len(rest) < MIN_ASPIRATION:
            return Command("unknown")
        return Command("aspiration", kind=ASPIRATION_WORDS[head], text=rest[:10_000])
    if head in LINK_WORDS and rest:
        return Command("link", text=rest.split()[0])
    if head in STOP_WORDS and not rest:
        return Command("stop")
    if head in START_WORDS and not rest:
        return Command("start")
    if head in HELP_WORDS:
        return Command("help")
    return Command("unknown")


HELP = ("Perintah KIM: 1/OK/TERIMA = pesan diterima; SEBAR <jumlah> = sudah disebarkan ke sekian orang; "
        "ASPIRASI <teks> atau LAPOR <teks> = kirim aspirasi/pengaduan; BERHENTI = berhenti menerima; "
        "MULAI = menerima lagi. (English: OK, RELAY <n>, ASPIRATION <text>, REPORT <text>, STOP, START, HELP)")
UNKNOWN_SENDER = ("Nomor/obrolan ini belum terdaftar di Platform KIM. Minta kode tautan ke Diskominfo atau "
                  "lewat portal KIM, lalu kirim: DAFTAR <kode>. (English: this chat is not linked yet; ask for "
                  "a link code and send: LINK <code>)")
LINKED = "Saluran ini kini terhubung ke {name} di Platform KIM. Ketik BANTUAN untuk daftar perintah."
LINK_REFUSED = "Kode tautan tidak berlaku (salah, kedaluwarsa atau sudah dipakai). Minta kode baru."
STOPPED = "Anda berhenti menerima pesan di saluran ini. Ketik MULAI untuk menerima lagi."
STARTED = "Anda kembali menerima pesan di saluran ini."
ACKNOWLEDGED = "Terima kasih, pesan \"{title}\" tercatat diterima."
RELAYED = "Tercatat: \"{title}\" disebarkan kepada {reached} orang."
NOTHING_TO_ANSWER = "Belum ada pesan untuk dikonfirmasi di saluran ini."
ASPIRATION_RECEIVED = ("Aspirasi diterima. Kode pelacakan: {code}. Jawabannya akan dikirim ke saluran ini; "
                       "cek juga di situs dengan kode itu.")
