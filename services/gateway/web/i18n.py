"""Bahasa Indonesia first, English available: the visitor's language, the
English of every Indonesian text on the pages, and labels for the
platform's codes (statuses, kinds, levels)."""
from starlette.requests import Request

from services.gateway.problems import prefers_english
from services.gateway.web.english import ENGLISH

LANGUAGES = ("id", "en")
LANGUAGE_COOKIE = "kim_lang"

# a code the platform uses -> (Indonesian, English)
LABELS = {
    "active": ("Aktif", "Active"), "vakum": ("Vakum", "Dormant"), "dissolved": ("Bubar", "Dissolved"),
    "province": ("Provinsi", "Province"), "regency": ("Kabupaten/Kota", "Regency/City"),
    "district": ("Kecamatan", "District"), "village": ("Desa/Kelurahan", "Village"),
    "received": ("Diterima", "Received"), "verified": ("Diverifikasi", "Verified"),
    "forwarded": ("Diteruskan", "Forwarded"), "in_progress": ("Sedang diproses", "In progress"),
    "responded": ("Dijawab", "Responded"), "closed": ("Selesai", "Closed"), "rejected": ("Ditolak", "Rejected"),
    "aspirasi": ("Aspirasi (saran)", "Suggestion"), "pengaduan": ("Pengaduan", "Complaint"),
    "permintaan_informasi": ("Permintaan informasi", "Information request"),
    "tumbuh": ("Tumbuh", "Growing"), "berkembang": ("Berkembang", "Developing"), "maju": ("Maju", "Advanced"),
    "mandiri": ("Mandiri", "Self-reliant"),
    "program": ("Program", "Programme"), "kebijakan": ("Kebijakan", "Policy"),
    "pengumuman": ("Pengumuman", "Announcement"), "darurat": ("Darurat", "Emergency"),
    "normal": ("Biasa", "Normal"), "high": ("Penting", "High"), "urgent": ("Segera", "Urgent"),
    "draft": ("Draf", "Draft"), "scheduled": ("Terjadwal", "Scheduled"), "publishing": ("Sedang dikirim", "Sending"),
    "published": ("Terkirim", "Published"),
    "admin": ("Admin", "Admin"), "operator": ("Operator", "Operator"), "kim": ("KIM", "KIM"),
    "pending": ("Menunggu kata sandi", "Awaiting password"), "disabled": ("Nonaktif", "Disabled"),
    "ketua": ("Ketua", "Chair"), "sekretaris": ("Sekretaris", "Secretary"), "bendahara": ("Bendahara", "Treasurer"),
    "anggota": ("Anggota", "Member"),
    "diseminasi": ("Diseminasi informasi", "Information dissemination"), "pelatihan": ("Pelatihan", "Training"),
    "pertemuan": ("Pertemuan", "Meeting"), "acara_publik": ("Acara publik", "Public event"),
    "lainnya": ("Lainnya", "Other"),
    "whatsapp": ("WhatsApp", "WhatsApp"), "pengeras_suara": ("Pengeras suara", "Loudspeaker"),
    "media_sosial": ("Media sosial", "Social media"), "papan_informasi": ("Papan informasi", "Notice board"),
    "infrastruktur": ("Infrastruktur", "Infrastructure"), "kesehatan": ("Kesehatan", "Health"),
    "pendidikan": ("Pendidikan", "Education"),
    "administrasi_kependudukan": ("Administrasi kependudukan", "Civil registration"),
    "sosial": ("Sosial", "Social welfare"), "ekonomi": ("Ekonomi", "Economy"),
    "lingkungan": ("Lingkungan", "Environment"), "keamanan": ("Keamanan dan ketertiban", "Safety and order"),
    "broadcast": ("Siaran", "Broadcast"), "aspiration_answer": ("Jawaban aspirasi", "Answer to an aspiration"),
}


def language(request: Request) -> str:
    """?lang= (remembered in a cookie), else the cookie, else the browser's preference."""
    chosen = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return "en" if prefers_english(request) else "id"


def translator(lang: str):
    """`_("Teks Indonesia", n=3)`: the text in the visitor's language, formatted."""
    def translate(text: str, **values) -> str:
        if lang == "en":
            text = ENGLISH.get(text, text)
        return text.format(**values) if values else text
    return translate


def labeler(lang: str):
    def label(code) -> str:
        if code is None:
            return ""
        pair = LABELS.get(str(code))
        return pair[1 if lang == "en" else 0] if pair else str(code).replace("_", " ")
    return label
