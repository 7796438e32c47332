"""Every closed list of codes the platform speaks, each once: its codes in
their order and, beside each, its labels in Bahasa Indonesia and English.

The services check input against these codes, the gateway builds its
`Literal`s (and so the OpenAPI enums) from them, the website lists and labels
them. `tests/test_vocabulary.py` fails when a copy of one appears elsewhere.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    code: str
    id: str  # the Indonesian label
    en: str  # the English label
    # Open311 only: the service's name and description (an aspiration category is a service)
    service: tuple[str, str] | None = None


class Vocabulary(tuple):
    """The codes, in order (a tuple, so `in`, `join` and `Literal[...]` work), with their terms."""

    terms: tuple[Term, ...]

    def __new__(cls, *terms: Term):
        vocabulary = super().__new__(cls, (term.code for term in terms))
        vocabulary.terms = terms
        return vocabulary

    def term(self, code: str) -> Term:
        return next(term for term in self.terms if term.code == code)


KIM_CLASSIFICATIONS = Vocabulary(
    Term("tumbuh", "Tumbuh", "Growing"), Term("berkembang", "Berkembang", "Developing"),
    Term("maju", "Maju", "Advanced"), Term("mandiri", "Mandiri", "Self-reliant"))

KIM_STATUSES = Vocabulary(
    Term("active", "Aktif", "Active"), Term("vakum", "Vakum", "Dormant"), Term("dissolved", "Bubar", "Dissolved"))

MEMBER_ROLES = Vocabulary(
    Term("ketua", "Ketua", "Chair"), Term("sekretaris", "Sekretaris", "Secretary"),
    Term("bendahara", "Bendahara", "Treasurer"), Term("anggota", "Anggota", "Member"))

ACTIVITY_KINDS = Vocabulary(
    Term("diseminasi", "Diseminasi informasi", "Information dissemination"),
    Term("pelatihan", "Pelatihan", "Training"), Term("pertemuan", "Pertemuan", "Meeting"),
    Term("acara_publik", "Acara publik", "Public event"), Term("lainnya", "Lainnya", "Other"))

BROADCAST_CATEGORIES = Vocabulary(
    Term("program", "Program", "Programme"), Term("kebijakan", "Kebijakan", "Policy"),
    Term("pengumuman", "Pengumuman", "Announcement"), Term("darurat", "Darurat", "Emergency"),
    # issue 15: an office's clarification of a rumour its groups reported (a hoax case)
    Term("klarifikasi", "Klarifikasi", "Clarification"))

BROADCAST_PRIORITIES = Vocabulary(
    Term("normal", "Biasa", "Normal"), Term("high", "Penting", "High"), Term("urgent", "Segera", "Urgent"))

ASPIRATION_KINDS = Vocabulary(
    Term("aspirasi", "Aspirasi (saran)", "Suggestion"), Term("pengaduan", "Pengaduan", "Complaint"),
    Term("permintaan_informasi", "Permintaan informasi", "Information request"))

# in the order of the SP4N workflow (services/aspirations/workflow.py holds the transitions)
ASPIRATION_STATUSES = Vocabulary(
    Term("received", "Diterima", "Received"), Term("verified", "Diverifikasi", "Verified"),
    Term("forwarded", "Diteruskan", "Forwarded"), Term("in_progress", "Sedang diproses", "In progress"),
    Term("responded", "Dijawab", "Responded"), Term("closed", "Selesai", "Closed"),
    Term("rejected", "Ditolak", "Rejected"))

# The suggested categories (the API takes any word, normalised): the website's choices and
# the Open311 services. `administrasi` is the Open311 service_code clients already use; the
# website once offered `administrasi_kependudukan` for it (CATEGORY_ALIASES).
ASPIRATION_CATEGORIES = Vocabulary(
    Term("infrastruktur", "Infrastruktur", "Infrastructure",
         service=("Infrastruktur", "Jalan, jembatan, drainase, penerangan jalan")),
    Term("kesehatan", "Kesehatan", "Health", service=("Kesehatan", "Puskesmas, posyandu, layanan kesehatan")),
    Term("pendidikan", "Pendidikan", "Education", service=("Pendidikan", "Sekolah, beasiswa, layanan pendidikan")),
    Term("administrasi", "Administrasi kependudukan", "Civil registration",
         service=("Administrasi kependudukan", "KTP, KK, akta, surat keterangan")),
    Term("lingkungan", "Lingkungan", "Environment", service=("Lingkungan hidup", "Sampah, pencemaran, kebersihan")),
    Term("sosial", "Sosial", "Social welfare", service=("Sosial", "Bantuan sosial, disabilitas, lansia")),
    Term("ekonomi", "Ekonomi", "Economy", service=("Ekonomi dan UMKM", "Usaha kecil, pasar, harga")),
    Term("keamanan", "Keamanan dan ketertiban", "Safety and order",
         service=("Ketertiban dan keamanan", "Ketertiban umum, keamanan lingkungan")),
    Term("lainnya", "Lainnya", "Other", service=("Lainnya", "Hal lain")))
# an old code -> the code it is now (aspirations filed under the old one keep their label)
CATEGORY_ALIASES = {"administrasi_kependudukan": "administrasi"}

# what an API key or an account may be
KEY_ROLES = Vocabulary(Term("admin", "Admin", "Admin"), Term("operator", "Operator", "Operator"),
                       Term("kim", "KIM", "KIM"))

# an import of a spreadsheet of groups: its rows arriving, waiting, being imported, done
IMPORT_STATUSES = Vocabulary(
    Term("receiving", "Sedang diunggah", "Uploading"), Term("queued", "Dalam antrean", "Queued"),
    Term("running", "Sedang diimpor", "Importing"), Term("done", "Selesai", "Done"))

# what became of one row of an import
IMPORT_OUTCOMES = Vocabulary(Term("imported", "Diimpor", "Imported"), Term("rejected", "Ditolak", "Rejected"))

# the channels a group is reached on (services/channels), its states, and a message's
CHANNEL_KINDS = Vocabulary(
    Term("telegram", "Telegram", "Telegram"), Term("whatsapp", "WhatsApp", "WhatsApp"),
    Term("sms", "SMS", "SMS"), Term("email", "E-mail", "E-mail"))
CHANNEL_STATES = Vocabulary(
    Term("pending", "Menunggu kode", "Waiting for its code"), Term("live", "Aktif", "Live"),
    Term("paused", "Dijeda", "Paused"), Term("stopped", "Dihentikan KIM", "Stopped by the group"))
MESSAGE_STATUSES = Vocabulary(
    Term("queued", "Dalam antrean", "Queued"), Term("sent", "Terkirim", "Sent"),
    Term("delivered", "Diterima", "Delivered"), Term("read", "Dibaca", "Read"),
    Term("failed", "Gagal", "Failed"))
# a channel linked to its group (it answers for it); a message that left (and what came of it)
LINKED_CHANNEL_STATES = CHANNEL_STATES[1:]
SENT_MESSAGE_STATUSES = MESSAGE_STATUSES[1:4]

# --- issue 15, posts: a group's local news (services/registry/posts.py) ---
POST_KINDS = Vocabulary(
    Term("berita", "Berita", "News"), Term("kegiatan", "Kegiatan", "Activity"),
    Term("informasi", "Informasi", "Information"))
# in review (the regency requires it), published, rejected by the office, taken down after publication
POST_STATUSES = Vocabulary(
    Term("in_review", "Menunggu tinjauan", "In review"), Term("published", "Terbit", "Published"),
    Term("rejected", "Ditolak", "Rejected"), Term("taken_down", "Diturunkan", "Taken down"))
# --- issue 15, hoax clarification (services/aspirations/hoaxes.py) ---
# what an office found a reported claim to be
HOAX_LABELS = Vocabulary(
    Term("hoaks", "Hoaks", "Hoax"), Term("disinformasi", "Disinformasi", "Disinformation"),
    Term("misinformasi", "Misinformasi", "Misinformation"), Term("benar", "Benar", "True"),
    Term("belum_terverifikasi", "Belum terverifikasi", "Not yet verified"))
# where a group or a citizen saw the claim
HOAX_SOURCES = Vocabulary(
    Term("grup_whatsapp", "Grup WhatsApp", "WhatsApp group"), Term("facebook", "Facebook", "Facebook"),
    Term("instagram", "Instagram", "Instagram"), Term("tiktok", "TikTok", "TikTok"),
    Term("youtube", "YouTube", "YouTube"), Term("x_twitter", "X (Twitter)", "X (Twitter)"),
    Term("situs_web", "Situs web", "Website"), Term("sms", "SMS", "SMS"),
    Term("mulut_ke_mulut", "Dari mulut ke mulut", "Word of mouth"), Term("lainnya", "Lainnya", "Other"))
# a case: reported (open), labelled by the office, clarification sent
HOAX_CASE_STATUSES = Vocabulary(
    Term("dilaporkan", "Dilaporkan", "Reported"), Term("dilabeli", "Dilabeli", "Labelled"),
    Term("diklarifikasi", "Diklarifikasi", "Clarified"))

VOCABULARIES = {
    "kim_classifications": KIM_CLASSIFICATIONS, "kim_statuses": KIM_STATUSES, "member_roles": MEMBER_ROLES,
    "activity_kinds": ACTIVITY_KINDS, "broadcast_categories": BROADCAST_CATEGORIES,
    "broadcast_priorities": BROADCAST_PRIORITIES, "aspiration_kinds": ASPIRATION_KINDS,
    "aspiration_statuses": ASPIRATION_STATUSES, "aspiration_categories": ASPIRATION_CATEGORIES,
    "key_roles": KEY_ROLES, "import_statuses": IMPORT_STATUSES, "import_outcomes": IMPORT_OUTCOMES,
    "channel_kinds": CHANNEL_KINDS, "channel_states": CHANNEL_STATES,
    "post_kinds": POST_KINDS, "post_statuses": POST_STATUSES,  # issue 15, posts
    # MESSAGE_STATUSES is the channels service's own: no API field states one (figures count them)
    # issue 15, hoax clarification
    "hoax_labels": HOAX_LABELS, "hoax_sources": HOAX_SOURCES, "hoax_case_statuses": HOAX_CASE_STATUSES,
}


def labels() -> dict[str, tuple[str, str]]:
    """code -> (Indonesian, English) over every vocabulary (a code shared by two, `lainnya`,
    means the same in both), old aliases included."""
    found = {term.code: (term.id, term.en) for vocabulary in VOCABULARIES.values() for term in vocabulary.terms}
    found.update({old: found[new] for old, new in CATEGORY_ALIASES.items()})
    return found

# --- issue 15, activity index and evaluation -------------------------------------------------
# what a group did in a period, counted per month by the service that owns it
# (services/registry/evaluation/figures.py); the index weighs them (docs/evaluation.md)
EVALUATION_FIGURES = Vocabulary(
    Term("activities", "Kegiatan dilaporkan", "Activities reported"),
    Term("acknowledged", "Siaran dikonfirmasi", "Broadcasts acknowledged"),
    Term("relays", "Penerusan ke warga", "Relays to the community"),
    Term("reached", "Warga terjangkau", "People reached"),
    Term("aspirations_filed", "Aspirasi diajukan", "Aspirations filed"),
    Term("aspirations_answered", "Aspirasi dijawab", "Aspirations answered"),
    Term("posts", "Berita diterbitkan", "Posts published"),
    Term("hoax_reports", "Laporan hoaks", "Hoax reports"))
# a classification criterion beyond the figures: the index and the share of active months
EVALUATION_CRITERIA = Vocabulary(
    Term("index", "Indeks keaktifan", "Activity index"),
    Term("active_share", "Bagian bulan aktif", "Share of active months"),
    *EVALUATION_FIGURES.terms)
VOCABULARIES["evaluation_criteria"] = EVALUATION_CRITERIA
