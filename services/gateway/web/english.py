"""The English of every Indonesian text on the pages (the Indonesian is the key)."""

ENGLISH = {
    # shared
    "Platform KIM": "KIM Platform", "Langsung ke isi": "Skip to content", "Menu utama": "Main menu",
    "Peta KIM": "Map of groups", "Direktori": "Directory", "Lacak": "Track", "Konsol": "Console",
    "Portal KIM": "Group portal", "Keluar": "Sign out", "Masuk": "Sign in",
    "Platform kemitraan Diskominfo dan Kelompok Informasi Masyarakat.":
        "The partnership platform of the communication offices and the community information groups (KIM).",
    "Data wilayah: Kemendagri melalui idn-area-data (ODbL).":
        "Region data: Ministry of Home Affairs via idn-area-data (ODbL).",
    "wajib": "required", "Periksa kembali isian Anda": "Please check your entries", "Halaman": "Pages",
    "Sebelumnya": "Previous", "{a}–{b} dari {n}": "{a}–{b} of {n}", "Berikutnya": "Next",
    "Kembali ke beranda": "Back to the home page", "Semua": "All", "Cari": "Search", "Status": "Status",
    "Status:": "Status:", "Tindakan": "Actions", "Nama": "Name", "Telepon": "Phone", "Surel": "Email",
    "Tanggal": "Date", "Jenis": "Kind", "Topik": "Topic", "Kode": "Code", "Wilayah": "Region",
    "Kode wilayah": "Region code", "Riwayat": "History", "Jawaban": "Answer", "Dikirim": "Sent",
    "Melalui": "Through", "seluruh Indonesia": "all of Indonesia", "Indonesia": "Indonesia",
    "Beranda": "Home", "Belum ada.": "None yet.",
    # error pages
    "Akses ditolak": "Access denied", "Halaman ini bukan untuk akun Anda.": "This page is not for your account.",
    "Tidak ditemukan": "Not found", "Halaman atau data yang Anda cari tidak ada.":
        "The page or the data you are looking for does not exist.",
    "Layanan sedang tidak tersedia": "The service is unavailable",
    "Coba lagi beberapa saat lagi. Data yang sudah Anda kirim tidak hilang.":
        "Please try again in a moment. Nothing you already sent is lost.",
    "Terjadi kesalahan": "Something went wrong", "Coba lagi beberapa saat lagi.": "Please try again in a moment.",
    "Formulir ini kedaluwarsa atau tidak berasal dari situs ini. Muat ulang halaman lalu kirim lagi.":
        "This form has expired or did not come from this site. Reload the page and send it again.",
    # signing in and passwords
    "Terlalu banyak percobaan gagal. Nama ini dikunci dari alamat Anda sampai pukul {time}.":
        "Too many failed attempts. This name is locked from your address until {time}.",
    "Terlalu banyak percobaan masuk dari alamat ini. Coba lagi sekitar {minutes} menit lagi.":
        "Too many sign-in attempts from this address. Try again in about {minutes} minutes.",
    "Nama pengguna atau kata sandi salah.": "Wrong username or password.",
    "Tautan ini tidak berlaku lagi: sudah dipakai atau kedaluwarsa. Minta tautan baru kepada admin Anda.":
        "This link is no longer valid: it was used or has expired. Ask your admin for a new one.",
    "Kata sandi paling sedikit {n} karakter.": "The password needs at least {n} characters.",
    "Kata sandi tidak boleh sama dengan nama pengguna atau nama Anda.":
        "The password may not be your username or your name.",
    "Kedua kata sandi tidak sama.": "The two passwords differ.",
    "Untuk petugas Diskominfo dan pengurus KIM. Warga tidak perlu masuk untuk mengirim atau melacak aspirasi.":
        "For office staff and group officers. Citizens need no account to send or track an aspiration.",
    "Kata sandi tersimpan. Silakan masuk.": "Password saved. Please sign in.",
    "Lupa kata sandi atau akun terkunci? Minta tautan baru kepada admin atau operator Diskominfo Anda.":
        "Forgot your password, or locked out? Ask your office's admin or operator for a new link.",
    "Nama pengguna": "Username", "Kata sandi": "Password", "Atur kata sandi": "Set your password",
    "Akun {username} ({name}). Tautan ini hanya dapat dipakai sekali.":
        "Account {username} ({name}). This link works only once.",
    "Kata sandi baru": "New password",
    "Paling sedikit {n} karakter. Kalimat pendek yang mudah Anda ingat lebih baik daripada kata yang rumit.":
        "At least {n} characters. A short sentence you remember beats a complicated word.",
    "Ulangi kata sandi": "Repeat the password", "Simpan kata sandi": "Save password",
    # home and map
    "Kelompok Informasi Masyarakat di seluruh Indonesia": "Community information groups across Indonesia",
    "KIM menyampaikan informasi pemerintah ke warga desa dan membawa suara warga kembali ke pemerintah. "
    "Di sini Anda dapat melihat di mana KIM sudah ada, mengirim aspirasi, dan melacak jawabannya.":
        "Groups (KIM) bring government information to villagers and carry citizens' voices back to "
        "government. Here you can see where groups exist, send an aspiration and track its answer.",
    "Angka nasional": "National figures", "KIM aktif": "Active groups", "KIM vakum": "Dormant groups",
    "Desa/kelurahan dengan KIM": "Villages with a group", "Cakupan": "Coverage",
    "Lihat peta KIM": "See the map of groups", "Lacak aspirasi": "Track an aspiration",
    "Jejak wilayah": "Region path", "Lokasi KIM": "Where the groups are",
    "{n} KIM dengan koordinat di wilayah ini.": "{n} groups with coordinates in this region.",
    "Peta latar tidak dipasang; titik-titik tetap menunjukkan letak KIM.":
        "No background map is configured; the dots still show where the groups are.",
    "Peta lokasi KIM": "Map of the groups' locations", "Wilayah di bawahnya": "Regions below",
    "Urutkan: yang belum punya KIM lebih dulu": "Sort: regions without groups first",
    "Urutkan menurut kode": "Sort by code", "Cakupan KIM per wilayah": "Group coverage per region",
    "Desa/kel.": "Villages", "Dengan KIM": "With a group", "belum ada KIM": "no group yet",
    "Cakupan {name}": "Coverage of {name}", "KIM di wilayah ini": "Groups in this region",
    "Semua {n} KIM di direktori": "All {n} groups in the directory",
    "Belum ada KIM terdaftar di wilayah ini.": "No group is registered in this region yet.",
    # directory and profile
    "Direktori KIM": "Group directory", "Nama KIM": "Group name",
    "Misalnya 14.71 untuk Kota Pekanbaru": "For example 14.71 for Kota Pekanbaru",
    "{n} KIM ditemukan.": "{n} groups found.", "Nomor KIM": "Group number", "Desa/kelurahan": "Village",
    "Klasifikasi": "Classification", "Fokus": "Focus", "Surat keputusan": "Founding decree",
    "Kegiatan terakhir": "Latest activity", "Kirim aspirasi melalui KIM ini": "Send an aspiration through this group",
    # aspiration form and tracking
    "Kirim aspirasi": "Send an aspiration",
    "Sampaikan saran, pengaduan atau pertanyaan Anda. Aspirasi diteruskan ke Diskominfo kabupaten/kota tempat "
    "desa Anda berada, dan Anda mendapat kode untuk melacaknya.":
        "Send your suggestion, complaint or question. It goes to the communication office of the regency or "
        "city your village belongs to, and you get a code to track it.",
    "Aspirasi: saran atau usulan": "Suggestion: an idea or a proposal",
    "Pengaduan: ada masalah yang perlu ditangani": "Complaint: a problem that needs handling",
    "Permintaan informasi: Anda ingin tahu sesuatu": "Information request: you want to know something",
    "Pilih topik": "Choose a topic", "Topik lain (jika memilih Lainnya)": "Other topic (if you chose Other)",
    "Isi aspirasi": "Your aspiration",
    "Tuliskan apa, di mana dan sejak kapan. Paling sedikit 5 karakter.":
        "Write what, where and since when. At least 5 characters.",
    "Pilih desa/kelurahan": "Choose a village", "Kode desa/kelurahan": "Village code",
    "Empat bagian angka, misalnya 14.71.01.1002. Tidak tahu kodenya? Cari nama desa di bawah.":
        "Four groups of digits, such as 14.71.01.1002. Don't know it? Search the village's name below.",
    "Identitas Anda (boleh dikosongkan)": "Who you are (may be left empty)", "Nomor telepon": "Phone number",
    "Privasi": "Privacy", "Anonim": "Anonymous",
    "Nama dan kontak Anda hanya dilihat oleh petugas Diskominfo yang menangani. Isi aspirasi tetap bisa dilihat "
    "orang lain yang memegang kode pelacakan.":
        "Only the office staff handling it see your name and contact. Anyone holding the tracking code can "
        "still read the aspiration itself.",
    "Rahasia": "Confidential",
    "Publik": "Public",
    "Isi aspirasi, topik dan desanya ditampilkan di daftar aspirasi untuk umum, bersama jawabannya. Nama dan "
    "kontak Anda tidak pernah ditampilkan. Tanpa pilihan ini, isi aspirasi hanya dilihat petugas dan pemegang "
    "kode pelacakan.":
        "The aspiration's text, topic and village are shown in the public list of aspirations, with its answer. "
        "Your name and contact are never shown. Without this choice, only the office staff and whoever holds "
        "the tracking code see the text.",
    "Seluruh aspirasi tidak pernah ditampilkan untuk umum. Saat dilacak, hanya statusnya yang terlihat.":
        "Nothing of the aspiration is ever shown publicly. Tracking shows only its status.",
    "Cari desa/kelurahan menurut nama": "Search a village by name", "Cari desa": "Search village",
    "Dikirim melalui {kim}.": "Sent through {kim}.", "Aspirasi terkirim": "Aspiration sent",
    "Aspirasi Anda sudah diterima": "Your aspiration has been received",
    "Simpan kode pelacakan ini:": "Keep this tracking code:",
    "Dengan kode ini Anda dapat melihat status dan jawaban aspirasi Anda kapan saja.":
        "With this code you can see your aspiration's status and answer at any time.",
    "Lacak aspirasi ini": "Track this aspiration", "Kode pelacakan": "Tracking code",
    "Sepuluh huruf dan angka, misalnya K7P3QX9M2A.": "Ten letters and digits, such as K7P3QX9M2A.",
    "Aspirasi {code}": "Aspiration {code}",
    "Aspirasi ini rahasia: hanya statusnya yang ditampilkan.": "This aspiration is confidential: only its status "
                                                               "is shown.",
    # console
    "Menu konsol": "Console menu", "Ringkasan": "Overview", "KIM": "Groups", "Siaran": "Broadcasts",
    "Aspirasi": "Aspirations", "Angka": "Figures", "Akun": "Accounts", "Ringkasan {name}": "Overview of {name}",
    "Cakupan desa": "Village coverage", "Aspirasi lewat tenggat": "Overdue aspirations",
    "Daftarkan KIM": "Register a group", "Tulis siaran": "Write a broadcast", "Antrean aspirasi": "Aspiration queue",
    "tenggat": "due", "Tidak ada. Bagus!": "None. Well done!", "Siaran terakhir": "Latest broadcasts",
    "{n} penerima": "{n} recipients", "Belum ada siaran.": "No broadcasts yet.",
    "KIM yang perlu desa baru": "Groups that need a new village",
    "Desa KIM ini dihapus oleh pembaruan data wilayah Kemendagri. Pilih desanya di halaman KIM.":
        "These groups' villages were removed by an update of Kemendagri's region data. Choose their village on the "
        "group's page.",
    "KIM di wilayah Anda": "Groups in your region", "{n} KIM": "{n} groups",
    "KIM terdaftar dengan nomor {id}.": "Group registered with number {id}.", "Versi data": "Record version",
    "Pengurus dan anggota": "Officers and members", "Hapus {name}": "Remove {name}",
    "Belum ada anggota tercatat.": "No members recorded yet.", "Tambah anggota": "Add a member", "Tambah": "Add",
    "Peran": "Role", "Status baru": "New status", "Alasan": "Reason", "Ubah status": "Change status",
    "Riwayat status": "Status history", "{n} peserta": "{n} participants",
    "Belum ada kegiatan dilaporkan.": "No activities reported yet.", "Ubah data KIM": "Edit the group's record",
    "Simpan perubahan": "Save changes", "Misalnya 14.71.01.1002.": "For example 14.71.01.1002.",
    "Surat keputusan (SK) pembentukan": "Founding decree (SK)", "Nomor SK": "Decree number",
    "Tanggal SK": "Decree date", "Diterbitkan oleh": "Issued by",
    "Misalnya Kepala Desa atau Lurah.": "For example the village head.",
    "Kontak (tidak ditampilkan untuk umum)": "Contact (never shown publicly)", "Nama narahubung": "Contact person",
    "Alamat sekretariat": "Office address", "Lintang (latitude)": "Latitude",
    "Boleh kosong. Misalnya 0.5071.": "Optional. For example 0.5071.", "Bujur (longitude)": "Longitude",
    "Boleh kosong. Misalnya 101.4478.": "Optional. For example 101.4478.", "Daftarkan": "Register",
    "Terbitkan sekarang": "Publish now", "Jadwalkan": "Schedule", "Muat ulang angka": "Reload the figures",
    "Sasaran": "Target", "fokus": "focus", "termasuk KIM vakum": "dormant groups included",
    "Kirim pada": "Send at", "Berlaku sampai": "Valid until", "Penerimaan": "Delivery",
    "Penerima": "Recipients", "Terkirim": "Delivered", "Dibaca": "Read", "Dikonfirmasi": "Acknowledged",
    "Diteruskan ke warga": "Relayed to citizens", "Warga terjangkau": "Citizens reached",
    "Gagal dikirim ke webhook": "Webhook pushes failed", "Per wilayah": "Per region", "Diteruskan": "Relayed",
    "Konfirmasi": "Acknowledged", "Konfirmasi {name}": "Acknowledged in {name}", "Judul": "Title", "Isi": "Text",
    "Kategori": "Category", "Prioritas": "Priority",
    "Satu atau beberapa kode, dipisah spasi atau koma, misalnya 14.71 atau 14.71.01 14.71.02.":
        "One or more codes separated by spaces or commas, such as 14.71 or 14.71.01 14.71.02.",
    "Hanya KIM dengan fokus (boleh kosong)": "Only groups with the focus (optional)",
    "Hanya klasifikasi (boleh kosong)": "Only the classifications (optional)",
    "Termasuk KIM yang vakum": "Include dormant groups",
    "Sasaran ini menjangkau {n} KIM.": "This target reaches {n} groups.", "Hitung penerima": "Count recipients",
    "Kirim pada ({zone}, boleh kosong)": "Send at ({zone}, optional)",
    "Kosongkan untuk mengirim saat diterbitkan.": "Leave empty to send when published.",
    "Berlaku sampai ({zone}, boleh kosong)": "Valid until ({zone}, optional)",
    "Simpan sebagai draf": "Save as a draft", "{n} siaran": "{n} broadcasts", "Dibuat": "Created",
    "lewat tenggat": "overdue", "dieskalasi ke provinsi": "escalated to the province",
    "Tenggat langkah berikutnya": "Next step due", "Melalui KIM": "Through the group", "Pengirim": "Sender",
    "anonim": "anonymous", "rahasia": "confidential", "publik": "public", "Langkah berikutnya": "Next step",
    "Catatan (boleh kosong)": "Note (optional)", "Tandai: {status}": "Mark: {status}",
    "Jawab aspirasi": "Answer the aspiration", "Jawaban untuk warga": "Answer to the citizen",
    "Jawaban ini terlihat saat dilacak dan dikirim ke KIM yang meneruskan aspirasi.":
        "The answer shows when tracked and goes to the group that passed the aspiration on.",
    "Kirim jawaban": "Send the answer", "Tolak aspirasi": "Reject the aspiration",
    "Alasan penolakan": "Reason for rejecting", "Tolak": "Reject",
    "Yang lewat tenggat di atas, lalu yang tenggatnya paling dekat.": "Overdue first, then the nearest deadline.",
    "Tenggat": "Deadline", "Hanya yang lewat tenggat": "Only overdue", "Yang belum lewat": "Not overdue",
    "Saring": "Filter", "{n} aspirasi": "{n} aspirations", "Angka {name}": "Figures of {name}",
    "Tampilkan": "Show", "Cakupan KIM": "Group coverage", "Unduh CSV cakupan": "Download coverage CSV",
    "Persentase desa dengan KIM per wilayah": "Share of villages with a group, per region",
    "Persentase desa/kelurahan yang punya KIM.": "Share of villages that have a group.",
    "Unduh CSV aspirasi": "Download aspirations CSV", "Jumlah": "Total", "Lewat tenggat": "Overdue",
    "Median jam sampai jawaban pertama": "Median hours to a first answer",
    "Aspirasi menurut status": "Aspirations by status", "Jumlah aspirasi menurut status.":
        "Number of aspirations by status.",
    "Akun petugas dan KIM": "Staff and group accounts",
    "Berikan tautan sekali pakai ini kepada pemilik akun untuk mengatur kata sandinya. Tautan berlaku sampai "
    "{time} dan tidak akan ditampilkan lagi.":
        "Give this one-time link to the account's owner to set a password. It is valid until {time} and "
        "will not be shown again.",
    "Buat akun": "Create an account",
    "Huruf kecil, angka, titik atau minus; misalnya rina.pekanbaru.":
        "Lower-case letters, digits, dots or dashes; such as rina.pekanbaru.",
    "Nama orang": "Person's name", "Wilayah (untuk operator dan admin)": "Region (for operators and admins)",
    "Operator: kode kabupaten/kota, misalnya 14.71. Admin: kode provinsi, misalnya 14.":
        "Operator: a regency or city code such as 14.71. Admin: a province code such as 14.",
    "Nomor KIM (untuk akun KIM)": "Group number (for a group account)",
    "Misalnya KIM-1471011002-01.": "For example KIM-1471011002-01.",
    "Buat akun dan tautan": "Create the account and its link", "{n} akun": "{n} accounts",
    "Wilayah / KIM": "Region / group", "terkunci": "locked", "Tautan baru untuk {name}": "New link for {name}",
    "Nonaktifkan {name}": "Disable {name}",
    # group portal
    "Menu portal KIM": "Group portal menu", "Kotak masuk": "Inbox", "Kotak masuk {name}": "Inbox of {name}",
    "Kegiatan": "Activities", "Aspirasi warga": "Citizens' aspirations",
    "{n} pesan. Yang belum dibaca di atas.": "{n} messages. Unread first.", "baru": "new",
    "Jawaban untuk aspirasi {code}": "Answer to aspiration {code}", "Lihat pelacakan": "See the tracking",
    "Dikonfirmasi {time}": "Acknowledged {time}", "Konfirmasi diterima": "Acknowledge receipt",
    "Baca pesan": "Read the message",
    "Sudah diteruskan ke {n} warga.": "Relayed to {n} citizens.",
    "Laporkan penyebaran ke warga": "Report passing it on to citizens",
    "Berapa warga yang dijangkau": "How many citizens were reached", "Kirim laporan": "Send the report",
    "Belum ada pesan.": "No messages yet.", "Laporkan kegiatan": "Report an activity",
    "Kegiatan tersimpan.": "Activity saved.", "Nama kegiatan": "Activity", "Jenis kegiatan": "Kind of activity",
    "Jumlah peserta": "Participants", "Tempat": "Place", "Keterangan": "Description",
    "Simpan kegiatan": "Save the activity", "Kegiatan yang sudah dilaporkan": "Activities reported",
    "Aspirasi terkirim. Kode pelacakan untuk warga:": "Aspiration sent. The citizen's tracking code:",
    "Yang dikirim melalui KIM ini": "Sent through this group",
    "Kirim aspirasi atas nama warga": "Send an aspiration for a citizen",
    # the home page's search
    "Cari desa atau KIM Anda": "Find your village or group", "Nama desa/kelurahan atau KIM": "Village or group name",
    "Misalnya Jadirejo atau KIM Maju Bersama": "For example Jadirejo or KIM Maju Bersama",
    "Hasil pencarian untuk “{words}”": "Search results for “{words}”",
    "Tidak ada desa/kelurahan atau KIM yang cocok.": "No village or group matches.",
    "{active} KIM aktif, {vakum} KIM vakum": "{active} active KIM, {vakum} dormant KIM",
    "{n} desa/kelurahan lain bernama mirip: perjelas namanya.":
        "{n} more villages have a similar name: type more of it.",
    "Ketik sedikitnya 2 huruf.": "Type at least 2 letters.", "Paling banyak 100 huruf.": "At most 100 letters.",
    "Geser tabel ke samping untuk melihat semua kolom.": "Swipe the table sideways to see every column.",
    # importing groups
    'Impor dari spreadsheet': 'Import from a spreadsheet',
    'Impor KIM dari spreadsheet': 'Import groups from a spreadsheet',
    "Unggah berkas CSV (UTF-8, dipisah titik koma atau koma) atau XLSX.":
        "Upload a CSV file (UTF-8, separated by semicolons or commas) or an XLSX file.",
    "Baris pertama berisi nama kolom; setiap baris berikutnya satu KIM.":
        "The first row names the columns; every further row is one group.",
    "Setiap baris diperiksa seperti pendaftaran satu KIM; yang valid diimpor, yang lain dilaporkan.":
        "Each row is checked as a single registration is; the valid ones are imported, the others reported.",
    "Berkas yang sama diunggah lagi tidak mengubah apa pun.": "The same file uploaded again changes nothing.",
    "Kolom": "Column", "Dalam bahasa Inggris": "In English",
    "Wajib: nama, nomor_sk, tanggal_sk, penerbit_sk, klasifikasi, dan kode_desa atau desa.":
        "Required: nama, nomor_sk, tanggal_sk, penerbit_sk, klasifikasi, and kode_desa or desa.",
    "Kolom desa: nama desa di wilayah Anda. Tag dipisah koma.":
        "The desa column: a village's name in your region. Tags separated by commas.",
    'Berkas': 'File',
    'Impor': 'Import',
    'Impor KIM': 'Group import',
    'halaman ini dimuat ulang sendiri': 'this page reloads itself',
    'Baris diproses': 'Rows processed',
    'Diimpor': 'Imported',
    'Ditolak': 'Rejected',
    'Unduh laporan (CSV)': 'Download the report (CSV)',
    'Impor berkas lain': 'Import another file',
    'Laporan per baris (baris pertama)': 'Report per row (the first rows)',
    'Baris': 'Row',
    'Hasil': 'Outcome',
    'Menunggu': 'Waiting',
    'Pilih berkas CSV atau XLSX.': 'Choose a CSV or XLSX file.',
    # a group's channels (console, portal, a broadcast's figures)
    "Saluran": "Channels", "Saluran KIM": "The group's channels", "Alamat": "Address",
    "Jenis saluran": "Kind of channel", "Tambah saluran": "Add a channel", "Per saluran": "Per channel",
    "Jeda": "Pause", "Lanjutkan": "Resume", "Hapus": "Remove",
    "Siaran untuk KIM ini juga dikirim ke saluran yang aktif.":
        "Broadcasts to this group are also sent to its live channels.",
    "Siaran untuk KIM Anda juga dikirim ke saluran yang aktif. Balas pesan di saluran itu untuk mengonfirmasi, "
    "atau kirim BERHENTI untuk berhenti.":
        "Broadcasts to your group are also sent to its live channels. Reply to a message there to acknowledge it, "
        "or send BERHENTI to stop.",
    "Belum ada saluran. Tambahkan Telegram, WhatsApp, SMS atau e-mail agar siaran juga dikirim ke sana.":
        "No channels yet. Add Telegram, WhatsApp, SMS or e-mail so that broadcasts are sent there too.",
    "Daftar saluran tidak dapat dimuat saat ini. Coba lagi beberapa saat lagi.":
        "The channels cannot be listed right now. Please try again in a moment.",
    "Saluran {kind} ditambahkan. Kode penautan:": "{kind} channel added. Link code:",
    "Kode ini hanya ditampilkan sekali dan berlaku sampai {time}.":
        "This code is shown only once and is valid until {time}.",
    "Menunggu kode penautan dikirim lewat saluran ini.": "Waiting for the link code to be sent through this channel.",
    "Dijeda oleh kantor.": "Paused by the office.",
    "Dihentikan oleh KIM (BERHENTI atau berhenti berlangganan).": "Stopped by the group (BERHENTI or unsubscribed).",
    "Dijeda otomatis: pengiriman gagal berulang kali.": "Paused automatically: sending failed again and again.",
    "Galat terakhir ({time}):": "Last error ({time}):", "Ditautkan {time}": "Linked {time}",
    "Penyedia saluran ini belum diaktifkan di platform: pesan belum dapat dikirim.":
        "This channel's provider is not set up on the platform: nothing can be sent yet.",
    "Nomor telepon untuk WhatsApp dan SMS, alamat e-mail untuk e-mail. Kosongkan untuk Telegram: grupnya dikenali "
    "saat kode dikirim di sana.":
        "A phone number for WhatsApp and SMS, an e-mail address for e-mail. Leave it empty for Telegram: the chat is "
        "known when the code is sent there.",
    "Angka per saluran sedang tidak tersedia: layanan saluran tidak menjawab. Muat ulang halaman nanti.":
        "The figures per channel are unavailable: the channels service does not answer. Reload the page later.",
    "Siaran ini tidak dikirim lewat saluran mana pun: KIM sasarannya belum punya saluran aktif.":
        "This broadcast was sent through no channel: its groups have no live channels.",
    # an e-mail channel's confirmation and unsubscribe pages
    "Konfirmasi alamat e-mail": "Confirm an e-mail address", "Berhenti berlangganan": "Unsubscribe",
    "Setujui": "Agree",
    "Tautan ini tidak berlaku lagi (sudah dipakai atau kedaluwarsa).":
        "This link is no longer valid (it was used or has expired).",
    "Terima kasih. Alamat e-mail ini kini menerima informasi untuk KIM-nya.":
        "Thank you. This e-mail address now receives information for its group.",
    "Alamat e-mail ini tidak akan menerima pesan lagi dari KIM ini.":
        "This e-mail address will receive no more messages from this group.",
    "Setujui bahwa alamat e-mail ini menerima informasi pemerintah untuk sebuah KIM.":
        "Agree that this e-mail address receives government information for a community information group (KIM).",
    "Hentikan pesan dari KIM ini ke alamat e-mail ini.": "Stop the messages from this group to this e-mail address.",
    # --- issue 15, posts: /berita, the portal's and the console's pages ---
    "Berita": "News", "Berita KIM": "News from the groups", "Umpan Atom": "Atom feed",
    "Kabar dari Kelompok Informasi Masyarakat di desa-desa.":
        "News from the community information groups in the villages.",
    "Semua wilayah": "All regions", "Belum ada berita.": "No posts yet.", "Berita dari KIM ini": "Posts of this group",
    "Berita lain dari kabupaten/kota ini": "More posts from this regency/city", "Tag": "Tags",
    "Foto {n} dari {title}": "Photo {n} of {title}", "Tulis berita": "Write a post", "Berita tersimpan.": "Post saved.",
    "Isi berita": "Text",
    "Markdown sederhana: **tebal**, *miring*, daftar dengan tanda -, tautan [teks](https://...).":
        "Simple Markdown: **bold**, *italic*, lists with -, links [text](https://...).",
    "Dipisah koma, misalnya: lingkungan, umkm": "Separated by commas, e.g. lingkungan, umkm",
    "Foto (paling banyak 4; JPEG, PNG atau WebP)": "Photos (at most 4; JPEG, PNG or WebP)",
    "Data lokasi dan kamera dihapus dari foto sebelum disimpan.":
        "Location and camera data are removed from the photos before they are stored.",
    "Kirim berita": "Send the post", "Berita KIM ini": "This group's posts", "Alasan kantor": "The office's reason",
    "Tinjauan berita": "Review of posts",
    "Berita KIM di kabupaten/kota {code} ditinjau sebelum terbit":
        "Posts of the groups in regency/city {code} are reviewed before publication",
    "Simpan pengaturan": "Save the setting",
    "Kode kabupaten/kota untuk pengaturan tinjauan": "Regency/city code for the review setting",
    "Misalnya 14.71": "For example 14.71", "Buka pengaturan": "Open the setting", "Status berita": "Post status",
    "Setujui dan terbitkan": "Approve and publish",
    "Alasan menurunkan": "Reason for taking it down", "Turunkan": "Take down",
    "Tidak ada berita dengan status ini.": "No posts in this state.",
    # --- issue 15: the evaluation report (console page and its printable PDF) ---
    "Evaluasi KIM": "Evaluation of the groups", "Periode {a} s.d. {b}": "Period {a} to {b}",
    "Rumus indeks versi {v}": "Index formula version {v}", "Kondisi vakum per {d}": "Dormancy as of {d}",
    "Jumlah KIM": "Groups", "Rata-rata indeks": "Mean index",
    "Berisiko vakum": "At risk of dormancy", "Memenuhi kriteria naik kelas": "Ready for the next classification",
    "Belum tersedia (dihitung nol):": "Not yet available (counted as zero):",
    "Per kabupaten/kota": "Per regency/city", "Kabupaten/Kota": "Regency/City", "Peringkat KIM": "Groups ranked",
    "Desa/Kelurahan": "Village", "Indeks": "Index",
    "Bulan aktif": "Active months", "Belum ada KIM di wilayah ini.": "No groups in this region yet.",
    "KIM aktif tanpa kegiatan selama {n} hari atau lebih (vakum setelah {m} hari).":
        "Active groups without activity for {n} days or more (dormant after {m} days).",
    "Hari tanpa kegiatan": "Days without activity",
    "Sisa hari sebelum vakum": "Days left before dormancy", "Tidak ada.": "None.", "Dari": "From", "Ke": "To",
    "Indeks = 100 × keteraturan × v / (v + 6), v = poin per bulan; lihat docs/evaluation.md.":
        "Index = 100 × regularity × v / (v + 6), v = points per month; see docs/evaluation.md.",
    "Evaluasi": "Evaluation", "Kode provinsi atau kabupaten/kota": "Province or regency/city code",
    "Jumlah bulan": "Number of months", "Sampai bulan (TTTT-BB)": "Up to the month (YYYY-MM)",
    "Pilih provinsi atau kabupaten/kota yang dievaluasi.": "Choose the province or regency/city to evaluate.",
    "Unduh CSV": "Download CSV", "Unduh PDF untuk dicetak": "Download the PDF to print", "Grafik": "Charts",
    "Jumlah KIM menurut rentang indeks": "Groups by index range",
    "Jumlah KIM menurut rentang indeks keaktifan (0–100).": "Groups by activity index range (0–100).",
    "Poin kegiatan semua KIM per bulan": "Activity points of all groups per month",
    "Poin kegiatan semua KIM di wilayah ini per bulan (lihat rumus indeks).":
        "Activity points of all groups in this region per month (see the index formula).",
    "Rata-rata indeks per kabupaten/kota": "Mean index per regency/city",
    "Rata-rata indeks keaktifan KIM per kabupaten/kota.": "Mean activity index of the groups per regency/city.",
    "{n} hari tanpa kegiatan, {d} hari lagi menjadi vakum": "{n} days without activity, dormant in {d} days",
    "Kriteria naik kelas": "Criteria for the next classification",
    "Kriteria bawaan (belum ditetapkan admin nasional).": "The default criteria (none set by the national admin).",
    "Ditetapkan admin nasional untuk wilayah {code}.": "Set by the national admin for region {code}.",
    "Angka kegiatan dihitung per 12 bulan.": "Figures are counted per 12 months.",
    # issue 15, the hoax clarification loop (services/gateway/web/hoaxes.py)
    "Alamat unggahan atau beritanya, diawali http:// atau https://.":
        "The address of the post or the article, starting with http:// or https://.",
    "Belum ada klarifikasi.": "No clarifications yet.", "Cari kabar": "Search the claims",
    "Cari klarifikasi": "Search the clarifications",
    "Desa/kelurahan tempat kabar beredar": "Village where the claim circulates",
    "Dilaporkan {n} kali oleh {g} KIM dan warga, di kabupaten/kota {regions}.":
        "Reported {n} times by {g} groups and citizens, in the regencies/cities {regions}.",
    "Dilihat di": "Seen on", "Hasil pemeriksaan:": "Finding:", "Hasil verifikasi": "Verification",
    "Hoaks": "Hoaxes", "Isi kabar yang beredar": "The claim as it circulates",
    "Judul siaran (boleh kosong)": "Broadcast title (optional)", "Judul untuk umum": "Public headline",
    "KIM yang melapor": "Groups that reported it", "Kabar": "Claim",
    "Kabar yang dilaporkan KIM dan warga, diperiksa oleh Diskominfo, dengan penjelasan dan sumbernya.":
        "Claims reported by the groups and by citizens, checked by the communication offices, with their "
        "explanation and sources.",
    "Kasus baru (pisahkan)": "A new case (split it off)", "Kasus hoaks": "Hoax case",
    "Kirim klarifikasi": "Send the clarification", "Klarifikasi": "Clarifications",
    "Klarifikasi hoaks": "Hoax clarifications", "Klarifikasi terkirim.": "The clarification was sent.",
    "Kode desa/kelurahan tempat kabar beredar": "Code of the village where the claim circulates",
    "Label": "Label", "Label:": "Label:", "Lapor hoaks": "Report a hoax", "Laporan": "Reports",
    "Laporan hoaks": "Hoax reports",
    "Laporan kabar yang sama digabung menjadi satu kasus. Yang belum diberi label di atas.":
        "Reports of the same claim are merged into one case. Unlabelled cases first.",
    "Laporan per desa/kelurahan": "Reports per village", "Laporan terakhir": "Last report",
    "Laporan terkirim. Hasil pemeriksaan Diskominfo akan masuk ke kotak masuk KIM Anda.":
        "Report sent. The office's finding will arrive in your group's inbox.",
    "Laporkan kabar meragukan yang beredar di wilayah Anda. Laporan yang sama dari KIM lain digabung menjadi satu "
    "kasus.": "Report a doubtful claim circulating in your area. The same report from other groups is merged into "
              "one case.",
    "Laporkan kabar yang meragukan": "Report a doubtful claim", "Lihat di peta": "See on the map",
    "Lihat klarifikasi yang sudah terbit": "See the published clarifications",
    "Menerima kabar yang meragukan di grup WhatsApp, media sosial atau dari mulut ke mulut? Laporkan di sini. "
    "Diskominfo memeriksanya dan menerbitkan klarifikasi. Anda tidak perlu memberikan nama atau kontak.":
        "Received a doubtful claim in a WhatsApp group, on social media or by word of mouth? Report it here. The "
        "communication office checks it and publishes a clarification. You need not give a name or a contact.",
    "Penjelasan": "Explanation", "Peta": "Map", "Pilih label": "Choose a label", "Pindahkan": "Move",
    "Pindahkan ke": "Move to", "Provinsi": "Province",
    "Salin atau tuliskan kabarnya seperti yang Anda terima. Jangan cantumkan nama atau nomor telepon orang.":
        "Copy or write the claim as you received it. Do not include anyone's name or phone number.",
    "Semua klarifikasi": "All clarifications",
    "Siaran kategori Klarifikasi ke KIM di desa/kelurahan tempat kabar dilaporkan. Ubah sasarannya bila perlu.":
        "A broadcast of the Clarification category to the groups of the villages where the claim was reported. "
        "Change the target if needed.",
    "Siaran klarifikasi": "Clarification broadcast", "Simpan label": "Save the label", "Sumber": "Sources",
    "Sumber (satu tautan per baris)": "Sources (one link per line)",
    "Tampil di halaman Klarifikasi, misalnya: Vaksin campak tidak mengandung chip.":
        "Shown on the Clarifications page, for example: Measles vaccine contains no chip.",
    "Tanggal dilihat": "Date seen", "Tautan (jika ada)": "Link (if any)",
    "Tempat kabar beredar": "Where the claim circulates",
    "Terima kasih. Laporan Anda diterima; hasil pemeriksaan Diskominfo akan tampil di halaman Klarifikasi.":
        "Thank you. Your report was received; the office's finding will be shown on the Clarifications page.",
    "kemiripan {s}": "similarity {s}", "tautan": "link", "warga": "citizen",
    "{n} kasus": "{n} cases", "{n} klarifikasi": "{n} clarifications",
    "Hasil laporan hoaks: {title}": "Finding on the reported claim: {title}",
    # issue 16: withdrawing a broadcast (console) and the withdrawal in the group's inbox
    "Tarik siaran ini": "Withdraw this broadcast",
    "Setiap KIM yang menerimanya diberi tahu bahwa siaran ditarik.":
        "Every group that received it is told that it was withdrawn.",
    "Ditarik {time}.": "Withdrawn {time}.",
    "Siaran ditarik: {title}": "Broadcast withdrawn: {title}",
    "Kantor yang mengirim siaran ini menariknya. Abaikan isinya dan jangan diteruskan lagi.":
        "The office that sent this broadcast withdrew it. Disregard it and do not pass it on any more.",
    "Siaran diperbarui: {title}": "Broadcast updated: {title}",
    "Diubah setelah terkirim": "Changed after it was sent",
    "Kantor yang mengirim siaran ini mengubah isinya. Teruskan yang terbaru ini.":
        "The office that sent this broadcast changed it. Pass on this latest text.",
    "Lihat klarifikasi": "See the clarification",
    # issue 15: a hoax case's map
    "KIM yang melaporkan kabar ini dan punya koordinat: {n}.":
        "Groups that reported this claim and have coordinates: {n}.",
    "Peta KIM yang melapor": "Map of the reporting groups",
    # issue 16: the privacy page (/privasi), the notices on the forms, a person's data export
    "Kebijakan privasi": "Privacy policy",
    "Platform KIM dijalankan oleh Dinas Komunikasi dan Informatika (Diskominfo) kabupaten/kota dan provinsi "
    "bersama Kelompok Informasi Masyarakat. Kami memproses data pribadi menurut Undang-Undang Nomor 27 Tahun 2022 "
    "tentang Pelindungan Data Pribadi. Halaman ini menjelaskan apa yang kami simpan, untuk apa, berapa lama, dan "
    "bagaimana Anda meminta salinan atau penghapusannya.":
        "The KIM Platform is run by the regency/city and provincial communication and informatics offices "
        "(Diskominfo) together with the community information groups. We process personal data under Law "
        "No. 27 of 2022 on Personal Data Protection. This page explains what we keep, why, for how long, and "
        "how you can ask for a copy or for its erasure.",
    "Data yang kami simpan": "What we keep",
    "Data pribadi, tujuan dan masa simpannya": "Personal data, its purpose and how long it is kept",
    "Siapa": "Whose", "Data": "Data", "Untuk apa": "What for", "Berapa lama": "How long",
    "Warga yang mengirim aspirasi": "Citizens who send an aspiration",
    "Nama, nomor telepon, e-mail (semuanya boleh dikosongkan)": "Name, phone number, e-mail (all optional)",
    "Menghubungi Anda dan menyampaikan jawaban atas aspirasi Anda":
        "To reach you and give you the answer to your aspiration",
    "Dihapus {n} hari setelah aspirasi selesai": "Erased {n} days after the aspiration is closed",
    "Anggota KIM": "Group members", "Nama, peran, nomor telepon": "Name, role, phone number",
    "Koordinasi pembinaan KIM oleh Diskominfo": "Coordination of the group's guidance by Diskominfo",
    "Selama menjadi anggota; dihapus {n} hari setelah dikeluarkan":
        "While a member; erased {n} days after removal",
    "Kontak KIM": "Group contact", "Nama, nomor telepon, e-mail": "Name, phone number, e-mail",
    "Agar kantor dapat menghubungi kelompok": "So that offices can reach the group",
    "Selama KIM terdaftar atau sampai diganti": "While the group is registered, or until replaced",
    "Nomor WhatsApp atau SMS, alamat e-mail, obrolan Telegram": "WhatsApp or SMS number, e-mail address, Telegram chat",
    "Mengirim informasi pemerintah kepada KIM dan menerima balasannya":
        "To send government information to the group and receive its replies",
    "Sampai saluran dihapus atau KIM mengirim BERHENTI": "Until the channel is removed or the group sends STOP",
    "Petugas dan pengurus yang masuk": "Staff and officers who sign in", "Nama pengguna dan nama": "Username and name",
    "Masuk ke konsol dan portal, dan mencatat siapa melakukan apa":
        "To sign in to the console and portal, and to record who did what",
    "Sampai akun dinonaktifkan": "Until the account is disabled",
    "Data pribadi tidak pernah ditampilkan untuk umum, tidak dijual, dan tidak ditulis ke log, metrik, atau pesan "
    "antarlayanan. Yang terhapus hanya data pribadinya: angka statistik tetap sama.":
        "Personal data is never shown to the public, never sold, and never written to logs, metrics or messages "
        "between services. Erasing removes only the personal data: statistics stay the same.",
    "Siapa yang melihat": "Who sees it",
    "Hanya petugas Diskominfo yang menangani wilayah Anda, dan pengurus KIM untuk data kelompoknya sendiri. Setiap "
    "kali petugas membuka daftar anggota, kontak, atau data seseorang, hal itu dicatat dalam log akses yang diperiksa "
    "admin.":
        "Only the Diskominfo staff handling your region, and a group's officers for their own group's data. Every "
        "time staff open a member list, a contact or a person's data, it is recorded in an access log that admins "
        "review.",
    "Hak Anda": "Your rights",
    "Anda berhak mengetahui data apa yang kami simpan tentang Anda, mendapat salinannya, memperbaikinya, dan meminta "
    "penghapusannya.":
        "You have the right to know what data we keep about you, to get a copy, to correct it and to ask for its "
        "erasure.",
    "Hubungi Diskominfo kabupaten/kota Anda (langsung, melalui surat, atau melalui KIM di desa Anda) dan sebutkan "
    "nomor telepon atau e-mail yang Anda pakai.":
        "Contact your regency/city Diskominfo (in person, by letter, or through the group in your village) and "
        "give the phone number or e-mail you used.",
    "Petugas mencari data Anda di seluruh layanan platform dan memberikan salinannya kepada Anda.":
        "Staff search for your data across every service of the platform and give you a copy.",
    "Jika Anda meminta penghapusan, petugas mencatat alasannya dan data pribadi Anda dihapus dari semua layanan.":
        "If you ask for erasure, staff record the reason and your personal data is erased from every service.",
    "Kami menanggapi permintaan Anda paling lambat 3 × 24 jam.": "We answer your request within 3 × 24 hours.",
    "Jika terjadi kebocoran data": "If a data breach happens",
    "Jika data pribadi Anda bocor, kami memberi tahu Anda dan lembaga pelindungan data pribadi secara tertulis paling "
    "lambat 3 × 24 jam: data apa, kapan dan bagaimana, serta apa yang kami lakukan.":
        "If your personal data leaks, we tell you and the personal data protection authority in writing within "
        "3 × 24 hours: which data, when and how, and what we are doing about it.",
    "Pemberitahuan pada formulir": "The notices on the forms",
    "Setiap formulir yang meminta data pribadi menampilkan pemberitahuan berikut; kami mencatat versi yang Anda lihat.":
        "Every form that asks for personal data shows the notice below; we record the version you saw.",
    "versi {v}": "version {v}",
    "Pemberitahuan privasi": "Privacy notice",
    "Selengkapnya di kebijakan privasi": "More in the privacy policy",
    "Data pribadi yang disimpan": "Personal data held",
    "Dibuat {at} oleh {by}.": "Made {at} by {by}.",
    "Tidak ada data pribadi dengan nomor atau e-mail ini.": "No personal data with this number or e-mail.",
    "Layanan": "Service", "Catatan": "Record", "Data pribadi": "Personal data", "Fakta lain": "Other facts",
    "Persetujuan dan dasar pemrosesan": "Consent and lawful basis",
    "{purpose}, versi {version}, dasar {basis}, {at}, oleh {by}":
        "{purpose}, version {version}, basis {basis}, {at}, by {by}",
    "Dihentikan: alamatnya dihapus atas permintaan pemiliknya (data pribadi).":
        "Stopped: its address was erased at its owner's request (personal data).",
    "Kontak dihapus {at} (data pribadi).": "Contact erased {at} (personal data).",
    # issue 16: a person's data in the console, the access log
    "Data pribadi seseorang": "A person's data",
    "Atas permintaan seseorang (UU 27/2022): cari semua yang disimpan platform tentang dia dengan nomor telepon atau "
    "e-mail yang dia pakai, berikan salinannya, dan hapus bila dia memintanya. Jawab paling lambat 3 × 24 jam. Setiap "
    "pencarian dicatat dalam log akses.":
        "At a person's request (Law 27/2022): find everything the platform keeps about them by the phone number or "
        "e-mail they used, give them a copy, and erase it if they ask. Answer within 3 × 24 hours. Every search is "
        "recorded in the access log.",
    "Log akses data pribadi": "Personal data access log",
    "Permintaan penghapusan dicatat: {n} data. Setiap layanan menghapus bagiannya; statusnya di bawah.":
        "The erasure request is recorded: {n} records. Each service erases its share; the status is below.",
    "Nomor telepon atau e-mail": "Phone number or e-mail",
    "Ejaan apa pun: +62 812-3456-7890, 0812 3456 7890, atau alamat e-mail.":
        "Any spelling: +62 812-3456-7890, 0812 3456 7890, or an e-mail address.",
    "Cari di semua layanan": "Search every service", "{n} data ditemukan": "{n} records found",
    "Salinan untuk dicetak": "Copy to print", "Unduh salinan (JSON)": "Download a copy (JSON)",
    "Hapus data ini": "Erase this data",
    "Misalnya nomor surat permintaan. Disimpan bersama permintaan ini saja.":
        "For example the request letter's number. Kept with this request only.",
    "Hapus dari semua layanan": "Erase from every service", "Permintaan penghapusan": "Erasure requests",
    "Waktu": "Time", "Belum ada permintaan penghapusan.": "No erasure requests yet.",
    "Siapa melihat data pribadi apa, dan kapan: daftar anggota, kontak, data seseorang, salinan dan penghapusan. "
    "Datanya sendiri tidak pernah disalin ke sini.":
        "Who saw which personal data, and when: member lists, contacts, a person's data, copies and erasures. The "
        "data itself is never copied here.",
    "Unduh semua (CSV)": "Download all (CSV)",
    "{n} catatan, yang terbaru lebih dulu": "{n} entries, newest first",
    "Selesai": "Done", "Menunggu layanan": "Waiting for the service",
}
