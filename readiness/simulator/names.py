"""Names, departments and company names for generated tenants (German SMEs and international firms)."""
from __future__ import annotations

GERMAN_FIRST = [
    "Anna", "Lukas", "Sophie", "Jonas", "Marie", "Leon", "Lea", "Felix", "Hannah", "Paul", "Laura", "Maximilian",
    "Julia", "Tobias", "Katharina", "Stefan", "Sabine", "Jürgen", "Birgit", "Uwe", "Claudia", "Matthias", "Petra",
    "Thomas", "Andrea", "Michael", "Susanne", "Klaus", "Monika", "Jörg", "Ute", "Björn", "Sönke", "Gülşen",
]
GERMAN_LAST = [
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
    "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
    "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Krause", "Meier", "Lehmann",
    "Yılmaz", "Kowalski", "Nowak", "Öztürk",
]
INTL_FIRST = [
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Lucas", "Mia", "Mateo", "Chloé", "Hugo", "Giulia", "Marco", "Sofía",
    "Diego", "Aiko", "Kenji", "Priya", "Arjun", "Fatima", "Omar", "Ingrid", "Lars", "Zoë", "Siobhán", "Wei", "Mei",
]
INTL_LAST = [
    "Smith", "Johnson", "Martin", "Dubois", "Rossi", "García", "Fernández", "Silva", "Tanaka", "Sato", "Patel",
    "Sharma", "Haddad", "Nielsen", "Andersson", "O'Brien", "Chen", "Wang", "Kim", "Novák", "Jensen", "Costa",
]
SME_DEPARTMENTS = [
    ("Geschäftsführung", 2), ("Vertrieb", 8), ("Produktion", 9), ("Buchhaltung", 4), ("Einkauf", 3),
    ("IT", 2), ("Personal", 2), ("Logistik", 5), ("Kundenservice", 5),
]
ENTERPRISE_DEPARTMENTS = [
    "Sales", "Finance", "Engineering", "Operations", "Human Resources", "Marketing", "Legal", "IT", "Procurement",
    "Customer Service", "Research & Development", "Logistik", "Produktion", "Vertrieb", "Qualitätssicherung",
]
GUEST_DOMAINS = ["steuerberatung-kanzlei.de", "partner-logistik.com", "agentur-blau.de", "freelance.example.org"]

_TRANSLIT = str.maketrans({
    "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "é": "e", "è": "e", "á": "a",
    "í": "i", "ó": "o", "ñ": "n", "ç": "c", "ş": "s", "ı": "i", "ğ": "g", "ë": "e", "ï": "i", "å": "a", "ø": "o",
    "ã": "a", "õ": "o", "'": "", " ": "", "Ö".lower(): "oe",
})


def mail_nickname(first: str, last: str) -> str:
    return f"{first}.{last}".translate(_TRANSLIT).lower()
