"""Realistic synthetic articles in Italian and English, for benchmarks and tests at scale (`generate_articles`).

Sentences are built from a domain vocabulary, so search, stemming and excerpts behave as on real articles; the same
seed gives the same articles, and each Italian article has an English translation with the same key.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.utils.text import slugify

from .models import Topic

KEY_PREFIX = "gen-"

WORDS = {
    "it": {
        "subjects": ["Il tuo numero", "L'account aziendale", "Il profilo WhatsApp Business", "La tua azienda",
                     "Il numero di telefono", "Il modello di messaggio", "La campagna", "Il tuo negozio",
                     "Il servizio clienti", "L'account WhatsApp Business", "La pagina aziendale", "Il fornitore"],
        "verbs": ["viene bloccato", "riceve un avviso", "perde qualità", "supera il limite", "viene sospeso",
                  "torna attivo", "resta in revisione", "viene limitato", "riceve una segnalazione",
                  "viene verificato", "cambia stato", "chiede una revisione"],
        "reasons": ["per spam", "per contenuti vietati", "dopo molte segnalazioni", "per un sito non valido",
                    "per una violazione delle regole", "senza un motivo indicato", "per messaggi non richiesti",
                    "per un settore vietato", "per un modello rifiutato", "per troppi messaggi in poco tempo"],
        "advice": ["Controlla la qualità dei messaggi in Meta Business Suite.",
                   "Chiedi sempre il consenso prima di scrivere ai clienti.",
                   "Premi il pulsante «Ricorso» e spiega cosa hai corretto.",
                   "Aspetta la fine del blocco prima di inviare altre campagne.",
                   "Scrivi all'assistenza di Meta se non vedi il pulsante di ricorso.",
                   "Aggiorna il sito web con i dati dell'azienda.",
                   "Riduci il numero di messaggi inviati ogni giorno.",
                   "Togli dai modelli le parole che sembrano una truffa.",
                   "Conserva le prove del consenso dei clienti.",
                   "Verifica che il profilo aziendale sia completo e corretto.",
                   "Annota la data del blocco e il codice dell'avviso.",
                   "Non creare un nuovo numero per aggirare il blocco."],
        "facts": ["Meta controlla la qualità in base alle risposte dei clienti.",
                  "Un blocco temporaneo dura di solito da uno a trenta giorni.",
                  "La revisione richiede spesso ventiquattro ore.",
                  "Le segnalazioni dei clienti pesano molto sulla valutazione.",
                  "Alcuni settori non possono usare la piattaforma.",
                  "Il limite di messaggi cresce se la qualità resta alta.",
                  "Un modello in pausa torna attivo quando la qualità migliora.",
                  "Il sito web deve mostrare chi sei e cosa vendi.",
                  "Le regole valgono sia per l'app sia per la piattaforma.",
                  "Meta può chiedere documenti per verificare l'azienda."],
        "headings": ["Perché succede", "Cosa controllare", "Cosa fare adesso", "Come evitarlo", "Quanto dura",
                     "Quando fare ricorso", "Cosa dice Meta", "Esempi pratici"],
        "titles": ["Come capire {x}", "Cosa fare se {x}", "Perché {x}", "Guida rapida: {x}", "Domande su {x}"],
        "topics": ["il blocco del numero", "la qualità dei messaggi", "il ricorso", "i modelli rifiutati",
                   "i limiti di invio", "il consenso dei clienti", "il sito aziendale", "la verifica dell'azienda",
                   "le segnalazioni", "i settori vietati", "la sospensione dell'account", "l'assistenza di Meta"],
        "places": ["a Milano", "a Roma", "a Napoli", "a Torino", "a Bologna", "a Firenze", "a Bari", "a Palermo",
                   "in Veneto", "in Sardegna", "in Toscana", "in Puglia"],
        "businesses": ["una palestra", "un ristorante", "un negozio di scarpe", "un'agenzia di viaggi", "un hotel",
                       "una farmacia", "un parrucchiere", "un'officina", "una scuola di lingue", "un fioraio"],
        "case": "Il caso di {b} {p}: {s} {v} {r}.",
        "lower_subject": True,
    },
    "en": {
        "subjects": ["Your number", "The business account", "The WhatsApp Business profile", "Your company",
                     "The phone number", "The message template", "The campaign", "Your shop",
                     "Customer service", "The WhatsApp Business account", "The business page", "The provider"],
        "verbs": ["gets blocked", "receives a warning", "loses quality", "hits the limit", "gets suspended",
                  "is active again", "stays in review", "gets restricted", "receives a report", "gets verified",
                  "changes status", "requests a review"],
        "reasons": ["for spam", "for prohibited content", "after many reports", "for an invalid website",
                    "for a policy violation", "with no reason shown", "for unwanted messages",
                    "for a prohibited industry", "for a rejected template", "for too many messages too fast"],
        "advice": ["Check the quality of your messages in Meta Business Suite.",
                   "Always ask for consent before you message customers.",
                   "Press the Request review button and explain what you fixed.",
                   "Wait until the block ends before you send more campaigns.",
                   "Write to Meta support if you cannot see the appeal button.",
                   "Update your website with your company details.",
                   "Send fewer messages each day.",
                   "Remove words that look like a scam from your templates.",
                   "Keep proof of your customers' consent.",
                   "Make sure the business profile is complete and correct.",
                   "Write down the date of the block and the notice's code.",
                   "Do not create a new number to get around the block."],
        "facts": ["Meta rates quality from how customers respond.",
                  "A temporary block usually lasts from one to thirty days.",
                  "A review often takes twenty-four hours.",
                  "Customer reports weigh heavily on the rating.",
                  "Some industries cannot use the platform.",
                  "The messaging limit grows while quality stays high.",
                  "A paused template comes back when quality improves.",
                  "Your website must show who you are and what you sell.",
                  "The rules apply to the app and to the platform alike.",
                  "Meta may ask for documents to verify the business."],
        "headings": ["Why it happens", "What to check", "What to do now", "How to avoid it", "How long it lasts",
                     "When to appeal", "What Meta says", "Examples"],
        "titles": ["Understanding {x}", "What to do about {x}", "Why {x} matters", "Quick guide: {x}",
                   "Questions about {x}"],
        "topics": ["number blocks", "message quality", "appeals", "rejected templates", "messaging limits",
                   "customer consent", "your business website", "business verification", "reports",
                   "prohibited industries", "account suspension", "Meta support"],
        "places": ["in Milan", "in Rome", "in Naples", "in Turin", "in Bologna", "in Florence", "in Bari",
                   "in Palermo", "in Veneto", "in Sardinia", "in Tuscany", "in Apulia"],
        "businesses": ["a gym", "a restaurant", "a shoe shop", "a travel agency", "a hotel", "a pharmacy",
                       "a hairdresser", "a garage", "a language school", "a florist"],
        "case": "The case of {b} {p}: {s} {v} {r}.",
        "lower_subject": True,
    },
}


@dataclass(frozen=True)
class SyntheticArticle:
    locale: str
    slug: str
    translation_key: str
    title: str
    summary: str
    topic: str
    body: str


def synthetic_articles(count: int, *, seed: int = 13, start: int = 0) -> list[SyntheticArticle]:
    """`count` articles per language (Italian and English translations of each other)."""
    result = []
    topics = list(Topic.values)
    for number in range(start, start + count):
        key = f"{KEY_PREFIX}{number:06d}"
        choices = random.Random(seed * 1_000_003 + number)
        plan = {
            "title": (choices.randrange(5), choices.randrange(12)),
            "case": (choices.randrange(10), choices.randrange(12), choices.randrange(12), choices.randrange(12),
                     choices.randrange(10)),
            "sections": [(choices.randrange(8),
                          [(choices.randrange(12), choices.randrange(12), choices.randrange(10),
                            choices.randrange(10), choices.randrange(12)) for _ in range(choices.randint(2, 3))],
                          choices.random() < 0.4)
                         for _ in range(choices.randint(2, 4))],
            "topic": topics[number % len(topics)],
        }
        for locale, words in WORDS.items():
            title = words["titles"][plan["title"][0]].format(x=words["topics"][plan["title"][1]])
            b, p, s, v, r = plan["case"]
            subject = words["subjects"][s]
            subject = subject[0].lower() + subject[1:] if not subject.startswith(("WhatsApp", "Meta")) else subject
            case = words["case"].format(b=words["businesses"][b], p=words["places"][p], s=subject,
                                        v=words["verbs"][v], r=words["reasons"][r])
            summary = f"{case} {words['facts'][plan['case'][0]]}"
            sections = []
            for heading, sentences, with_list in plan["sections"]:
                paragraph = " ".join(
                    f"{words['subjects'][s]} {words['verbs'][v]} {words['reasons'][r]}. {words['facts'][f]} "
                    f"{words['advice'][a]}" for s, v, r, f, a in sentences)
                section = f"## {words['headings'][heading]}\n\n{paragraph}"
                if with_list:
                    items = [words["advice"][(sentences[0][4] + i) % len(words["advice"])] for i in range(3)]
                    section += "\n\n" + "\n".join(f"- {item}" for item in items)
                sections.append(section)
            body = f"{case}\n\n" + "\n\n".join(sections)
            slug = f"{slugify(title)[:60].strip('-')}-{number}"
            result.append(SyntheticArticle(locale, slug, key, title, summary, plan["topic"], body))
    return result
