"""Realistic synthetic articles in Italian and English, for benchmarks and tests at scale (`generate_articles`).

Sentences are built from a domain vocabulary, so search, stemming and excerpts behave as on real articles; the same
seed gives the same articles, and each Italian article has an English translation with the same key.

Like a real help centre, each article is about one subject (AREAS: the appeal, templates, consent, …) and mostly uses
that subject's words, with some general sentences about blocks mixed in: a specific query ("modello rifiutato")
matches a few hundred of 20,000 articles, a broad one ("bloccato") thousands.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

from django.utils.text import slugify


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
        "places": ["in Milan", "in Rome", "in Naples", "in Turin", "in Bologna", "in Florence", "in Bari",
                   "in Palermo", "in Veneto", "in Sardinia", "in Tuscany", "in Apulia"],
        "businesses": ["a gym", "a restaurant", "a shoe shop", "a travel agency", "a hotel", "a pharmacy",
                       "a hairdresser", "a garage", "a language school", "a florist"],
        "case": "The case of {b} {p}: {s} {v} {r}.",
        "lower_subject": True,
    },
}


#: Subjects of articles: (topic, {locale: (title phrase, sentences only articles on this subject use)}).
AREAS = [
    ("capire", {
        "it": ("il blocco del numero", [
            "Quando il numero è bloccato non puoi inviare né ricevere messaggi dall'app.",
            "L'avviso di blocco compare all'apertura di WhatsApp Business sul telefono.",
            "Un numero bloccato resta legato al tuo account finché Meta non decide.",
            "Il blocco può essere temporaneo o definitivo: l'avviso lo dice.",
            "Fai uno screenshot dell'avviso di blocco prima di fare altro.",
            "Non disinstallare l'app mentre il numero è bloccato: perdi la cronologia."]),
        "en": ("number blocks", [
            "While the number is blocked you cannot send or receive messages in the app.",
            "The block notice appears when you open WhatsApp Business on the phone.",
            "A blocked number stays tied to your account until Meta decides.",
            "A block can be temporary or permanent: the notice says which.",
            "Take a screenshot of the block notice before doing anything else.",
            "Do not uninstall the app while the number is blocked: you lose the chat history."]),
    }),
    ("capire", {
        "it": ("le segnalazioni dei clienti", [
            "Ogni cliente può segnalare un messaggio con un tocco nella chat.",
            "Molte segnalazioni in pochi giorni abbassano subito la valutazione.",
            "Chi segnala un messaggio può anche bloccare il mittente.",
            "Le segnalazioni arrivano spesso dopo offerte non richieste.",
            "Un messaggio chiaro, atteso e utile riceve poche segnalazioni.",
            "Meta non dice chi ha segnalato né quale messaggio."]),
        "en": ("customer reports", [
            "Any customer can report a message with one tap in the chat.",
            "Many reports within a few days lower the rating at once.",
            "Whoever reports a message can also block the sender.",
            "Reports often follow offers nobody asked for.",
            "A clear, expected and useful message gets few reports.",
            "Meta does not say who reported or which message."]),
    }),
    ("capire", {
        "it": ("la sospensione dell'account", [
            "La sospensione riguarda l'intero account aziendale, non un solo numero.",
            "Con l'account sospeso anche le campagne programmate si fermano.",
            "Il Business Manager mostra lo stato dell'account sospeso.",
            "Una sospensione lunga blocca anche i pagamenti verso Meta.",
            "Gli amministratori dell'account ricevono un'email sulla sospensione.",
            "Controlla chi ha accesso all'account: un accesso rubato causa sospensioni."]),
        "en": ("account suspension", [
            "A suspension covers the whole business account, not just one number.",
            "With the account suspended, scheduled campaigns stop too.",
            "Business Manager shows the status of the suspended account.",
            "A long suspension also stops payments to Meta.",
            "The account's admins receive an email about the suspension.",
            "Check who has access to the account: a stolen login causes suspensions."]),
    }),
    ("risolvere", {
        "it": ("il ricorso", [
            "Il ricorso si invia dal pulsante nella schermata dell'avviso.",
            "Nel ricorso spiega in due righe cosa hai cambiato.",
            "Dopo il ricorso aspetta la risposta senza inviarne un altro.",
            "Un ricorso respinto si può ripetere solo con fatti nuovi.",
            "Allega al ricorso le prove del consenso se le hai.",
            "L'esito del ricorso arriva nell'app o per email."]),
        "en": ("appeals", [
            "You send the appeal from the button on the notice screen.",
            "In the appeal, say in two lines what you changed.",
            "After the appeal, wait for the answer without sending another one.",
            "A rejected appeal can only be repeated with new facts.",
            "Attach proof of consent to the appeal if you have it.",
            "The appeal's result arrives in the app or by email."]),
    }),
    ("risolvere", {
        "it": ("l'assistenza di Meta", [
            "L'assistenza di Meta risponde tramite un ticket nel Centro assistenza.",
            "Nel ticket indica il numero, il nome dell'azienda e la data.",
            "Il fornitore della piattaforma può aprire il ticket per te.",
            "Scrivi all'assistenza in modo breve e senza allegati inutili.",
            "L'assistenza non sblocca i numeri al telefono.",
            "Conserva il numero del ticket per i solleciti."]),
        "en": ("Meta support", [
            "Meta support answers through a ticket in the Help Center.",
            "In the ticket, give the number, the business name and the date.",
            "Your platform provider can open the ticket for you.",
            "Write to support briefly and without needless attachments.",
            "Support does not unblock numbers over the phone.",
            "Keep the ticket number for follow-ups."]),
    }),
    ("risolvere", {
        "it": ("la verifica dell'azienda", [
            "La verifica chiede la visura camerale o un documento fiscale.",
            "Il nome legale deve coincidere con quello nei documenti.",
            "Un'azienda verificata ottiene limiti di invio più alti.",
            "La verifica può durare qualche giorno lavorativo.",
            "Un indirizzo diverso tra sito e documenti rallenta la verifica.",
            "Carica documenti leggibili, in PDF o foto nitide."]),
        "en": ("business verification", [
            "Verification asks for a company registration or a tax document.",
            "The legal name must match the one on the documents.",
            "A verified business gets higher messaging limits.",
            "Verification can take a few working days.",
            "A different address on the website and the documents slows verification.",
            "Upload readable documents, as PDF or sharp photos."]),
    }),
    ("motivi", {
        "it": ("i settori vietati", [
            "Armi, farmaci senza ricetta e scommesse sono settori vietati.",
            "Il commercio di alcol ha regole diverse a seconda del paese.",
            "Un settore vietato porta al blocco anche senza segnalazioni.",
            "Le criptovalute e i prestiti veloci hanno limiti severi.",
            "Vendere integratori con promesse mediche è vietato.",
            "Leggi l'elenco dei prodotti vietati nella politica commerciale."]),
        "en": ("prohibited industries", [
            "Weapons, prescription drugs and gambling are prohibited industries.",
            "Selling alcohol follows different rules from country to country.",
            "A prohibited industry leads to a block even without reports.",
            "Cryptocurrencies and payday loans have strict limits.",
            "Selling supplements with medical promises is prohibited.",
            "Read the list of prohibited products in the commerce policy."]),
    }),
    ("motivi", {
        "it": ("il sito aziendale", [
            "Il sito deve essere raggiungibile e usare HTTPS.",
            "Una pagina in costruzione non basta come sito aziendale.",
            "Metti nel sito la partita IVA e un indirizzo reale.",
            "Il dominio del sito deve richiamare il nome dell'azienda.",
            "Un link accorciato nel profilo sembra sospetto.",
            "Il sito non deve rimandare a negozi di altri."]),
        "en": ("your business website", [
            "The website must be reachable and use HTTPS.",
            "An under-construction page is not enough as a business website.",
            "Put your VAT number and a real address on the website.",
            "The website's domain should recall the business name.",
            "A shortened link in the profile looks suspicious.",
            "The website must not send people to other people's shops."]),
    }),
    ("motivi", {
        "it": ("i modelli rifiutati", [
            "Un modello rifiutato mostra il motivo nel gestore dei modelli.",
            "Le variabili del modello non possono stare all'inizio del testo.",
            "Un modello di marketing inviato come utility viene rifiutato.",
            "Correggi il modello e invialo di nuovo con un nome diverso.",
            "I modelli con troppe maiuscole sembrano pubblicità aggressiva.",
            "Un modello in pausa non si può inviare finché non torna attivo."]),
        "en": ("rejected templates", [
            "A rejected template shows the reason in the template manager.",
            "Template variables cannot sit at the start of the text.",
            "A marketing template sent as utility gets rejected.",
            "Fix the template and submit it again under a different name.",
            "Templates with too many capital letters look like pushy advertising.",
            "A paused template cannot be sent until it is active again."]),
    }),
    ("prevenire", {
        "it": ("la qualità dei messaggi", [
            "La valutazione della qualità è verde, gialla o rossa.",
            "Una valutazione rossa per una settimana riduce il limite.",
            "Messaggi personali e brevi tengono alta la qualità.",
            "Le risposte lente dei clienti non abbassano la qualità.",
            "Guarda la qualità ogni giorno durante una campagna.",
            "Ferma la campagna se la qualità scende al giallo."]),
        "en": ("message quality", [
            "The quality rating is green, yellow or red.",
            "A red rating for a week lowers the limit.",
            "Personal, short messages keep quality high.",
            "Customers replying slowly does not lower quality.",
            "Look at quality every day during a campaign.",
            "Stop the campaign if quality drops to yellow."]),
    }),
    ("prevenire", {
        "it": ("i limiti di invio", [
            "Il limite conta i clienti diversi raggiunti in ventiquattro ore.",
            "Un numero nuovo parte da un limite basso.",
            "Il limite sale a mille, diecimila e poi centomila clienti.",
            "Superare il limite mette in coda i messaggi in eccesso.",
            "Distribuisci gli invii nella giornata invece che in un minuto.",
            "Le conversazioni aperte dal cliente non contano nel limite."]),
        "en": ("messaging limits", [
            "The limit counts the different customers reached in twenty-four hours.",
            "A new number starts from a low limit.",
            "The limit rises to one thousand, ten thousand and then one hundred thousand customers.",
            "Going over the limit queues the extra messages.",
            "Spread sending over the day instead of one minute.",
            "Conversations the customer opens do not count toward the limit."]),
    }),
    ("prevenire", {
        "it": ("il consenso dei clienti", [
            "Il consenso va chiesto prima del primo messaggio, non dopo.",
            "Una casella già spuntata non vale come consenso.",
            "Annota quando e dove il cliente ha dato il consenso.",
            "Chi revoca il consenso va tolto subito dalla lista.",
            "Un elenco comprato non ha il consenso dei contatti.",
            "Il modulo di consenso deve nominare WhatsApp."]),
        "en": ("customer consent", [
            "Ask for consent before the first message, not after.",
            "A pre-ticked box does not count as consent.",
            "Write down when and where the customer gave consent.",
            "Remove anyone who withdraws consent from the list at once.",
            "A bought list does not have its contacts' consent.",
            "The consent form must name WhatsApp."]),
    }),
]


@dataclass(frozen=True)
class SyntheticArticle:
    locale: str
    slug: str
    translation_key: str
    title: str
    summary: str
    topic: str
    body: str


TITLES = {
    "it": ["Guida rapida: {x}", "Domande frequenti: {x}", "In breve: {x}", "Passo per passo: {x}",
           "Cosa sapere: {x}"],
    "en": ["Quick guide: {x}", "Frequent questions: {x}", "In short: {x}", "Step by step: {x}", "What to know: {x}"],
}
TITLE_CASE = {"it": "{t} – il caso di {b}", "en": "{t} – the case of {b}"}


def synthetic_articles(count: int, *, seed: int = 13, start: int = 0) -> list[SyntheticArticle]:
    """`count` articles per language (Italian and English translations of each other), each on one of AREAS."""
    result = []
    for number in range(start, start + count):
        key = f"{KEY_PREFIX}{number:06d}"
        choices = random.Random(seed * 1_000_003 + number)
        area = number % len(AREAS)  # every topic and subject equally often, whatever the count

        deck = itertools.cycle(choices.sample(range(6), 6))  # the subject's sentences, each once before repeating

        def sentence():  # ("area", i) most of the time, else a general sentence (subject, verb, reason, fact, advice)
            if choices.random() < 0.7:
                return ("area", next(deck))
            return ("general", choices.randrange(12), choices.randrange(12), choices.randrange(10),
                    choices.randrange(10), choices.randrange(12))

        plan = {
            "title": (choices.randrange(5), choices.randrange(10)),
            "case": (choices.randrange(10), choices.randrange(12), choices.randrange(12), choices.randrange(12),
                     choices.randrange(10)),
            "summary": choices.randrange(6),
            "sections": [(choices.randrange(8), [sentence() for _ in range(choices.randint(2, 4))],
                          choices.random() < 0.4, choices.randrange(12))
                         for _ in range(choices.randint(2, 4))],
        }
        topic, texts = AREAS[area]
        for locale, words in WORDS.items():
            name, own = texts[locale]
            b, p, s, v, r = plan["case"]
            title = TITLE_CASE[locale].format(t=TITLES[locale][plan["title"][0]].format(x=name),
                                              b=words["businesses"][plan["title"][1]])
            subject = words["subjects"][s]
            subject = subject[0].lower() + subject[1:] if not subject.startswith(("WhatsApp", "Meta")) else subject
            case = words["case"].format(b=words["businesses"][b], p=words["places"][p], s=subject,
                                        v=words["verbs"][v], r=words["reasons"][r])
            summary = f"{case} {own[plan['summary']]}"

            def text(item):
                if item[0] == "area":
                    return own[item[1]]
                _, s, v, r, f, a = item
                return (f"{words['subjects'][s]} {words['verbs'][v]} {words['reasons'][r]}. {words['facts'][f]} "
                        f"{words['advice'][a]}")

            sections = []
            for heading, sentences, with_list, first in plan["sections"]:
                section = f"## {words['headings'][heading]}\n\n" + " ".join(text(item) for item in sentences)
                if with_list:
                    items = [words["advice"][(first + i) % len(words["advice"])] for i in range(3)]
                    section += "\n\n" + "\n".join(f"- {item}" for item in items)
                sections.append(section)
            body = f"{case}\n\n" + "\n\n".join(sections)
            slug = f"{slugify(title)[:60].strip('-')}-{number}"
            result.append(SyntheticArticle(locale, slug, key, title, summary, topic, body))
    return result
